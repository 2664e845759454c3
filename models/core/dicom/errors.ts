// What can go wrong reading a DICOM file, with the stable codes the API, the CLI and the PWA answer.
import { CodedError } from '../errors.ts';

export const DICOM_ERROR_CODES = [
  'corrupt_image', // truncated or malformed
  'no_image', // no pixel data (structured report, RT plan, waveform …)
  'unsupported_transfer_syntax',
  'unsupported_image', // a pixel layout this reader does not decode (palette colour, 1-bit …)
  'too_large', // Rows × Columns × Frames over the pixel limit, found before any pixel is decoded
  'not_mri', // a modality other than MR: refused before any diagnosis
] as const;
export type DicomErrorCode = (typeof DICOM_ERROR_CODES)[number];

export class DicomError extends CodedError<DicomErrorCode> {}

export const dicomErrors = {
  corrupt: (why: string) => new DicomError('corrupt_image', `The DICOM file is corrupt or truncated (${why}).`),
  noImage: (sopClass: string) =>
    new DicomError('no_image', `This DICOM file holds no image${sopClass ? ` (${sopClass})` : ''}: nothing to analyse.`),
  unsupportedSyntax: (uid: string, name?: string) =>
    new DicomError('unsupported_transfer_syntax', `Transfer syntax ${name ? `${name} (${uid})` : uid || '(none)'} is not supported.`),
  unsupportedImage: (why: string) => new DicomError('unsupported_image', `This DICOM image cannot be decoded: ${why}.`),
};

// The error codes for which the file itself is the problem: the analyse panel shows them in the file's row and never
// offers the server, which would refuse the same file (or the same decoded DICOM frame) with the same code. Made from
// the lists of codes the shared image decoder, preprocessing and DICOM reader and the codec loader throw: no copy.
import { DICOM_ERROR_CODES } from '../../models/core/dicom/errors.ts';
import { DECODE_ERROR_CODES } from '../../models/core/errors.ts';
import { PREPROCESS_ERROR_CODES } from '../../models/core/preprocess.ts';
import { CODEC_ERROR_CODES } from './codec-assets.ts';

/** not_mri is left out: on the device a modality other than MR is a refusal (a result), not an error. */
export const FILE_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...DECODE_ERROR_CODES,
  ...PREPROCESS_ERROR_CODES,
  ...DICOM_ERROR_CODES.filter((c) => c !== 'not_mri'),
  ...CODEC_ERROR_CODES,
]);

export const isFileError = (code: string): boolean => FILE_ERROR_CODES.has(code);

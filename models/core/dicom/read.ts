// The DICOM reader's front door: open a file (parse, refuse what is not an image, check the size before any pixel
// is decoded), then render frames one at a time to the Pixels the shared preprocessing takes.
import { MAX_DICOM_FRAME_PIXELS, MAX_DICOM_VOXELS } from '../limits.ts';
import { isTooLarge, tooLargeMessage } from '../errors.ts';
import { toDisplay, type Window } from './display.ts';
import { DicomError, dicomErrors } from './errors.ts';
import { decodeFrame } from './frames.ts';
import { parseDicom, renderingOf, type DicomFile, type ImageInfo } from './parse.ts';
import type { WasmSource } from './wasm-codecs.ts';
import type { Pixels } from '../preprocess.ts';

export interface DicomImageFile extends DicomFile {
  image: ImageInfo;
}

/** Parses and checks: throws no_image, unsupported_transfer_syntax, too_large or corrupt_image. */
export function openDicom(bytes: Uint8Array): DicomImageFile {
  const file = parseDicom(bytes);
  const { image } = file;
  if (!image) throw dicomErrors.noImage(file.meta.sopClassUid);
  if (isTooLarge(image.columns, image.rows)) throw new DicomError('too_large', tooLargeMessage(image.columns, image.rows));
  if (image.rows * image.columns > MAX_DICOM_FRAME_PIXELS) {
    throw new DicomError('too_large', `A DICOM frame of ${image.columns}×${image.rows} is over the limit of ${MAX_DICOM_FRAME_PIXELS / 2 ** 20} M pixels a frame.`);
  }
  if (image.rows * image.columns * image.frames > MAX_DICOM_VOXELS) {
    throw new DicomError('too_large', `${image.frames} frames of ${image.columns}×${image.rows} is over the limit of ${MAX_DICOM_VOXELS / 1e6} M pixels a file.`);
  }
  return file as DicomImageFile;
}

export interface DicomFrame {
  /** 1-based, as DICOM counts frames. */
  frame: number;
  pixels: Pixels;
  window: Window | null;
}

export async function renderFrame(file: DicomImageFile, frame: number, wasm: WasmSource): Promise<DicomFrame> {
  const decoded = await decodeFrame(file, frame - 1, wasm);
  return { frame, ...toDisplay(decoded, file.image, renderingOf(file, frame - 1)) };
}

/** The answer's `dicom` block: how the file was read, nothing about the patient. */
export interface DicomSummary {
  modality: string;
  transferSyntax: string;
  frames: number;
  window: Window | null;
}

export const dicomSummary = (file: DicomImageFile, window: Window | null): DicomSummary => ({
  modality: file.meta.modality,
  transferSyntax: file.transferSyntax.uid,
  frames: file.image.frames,
  window,
});

/** Modalities other than MR are refused before any diagnosis; a file that names none is left to the image checks. */
export function modalityRefusal(file: DicomFile): string | null {
  const m = file.meta.modality;
  if (!m || m === 'MR') return null;
  return `This DICOM file is ${m}, not MR: BigBrain reads brain MRI only, so no diagnosis is given.`;
}

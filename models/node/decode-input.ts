// Upload bytes → what the shared preprocessing takes: a picture (JPEG, PNG, WebP through sharp) or the frames of
// a DICOM file (the shared reader, the same code the browser runs). DICOM of another modality is refused here,
// before any pixel is decoded.
import { createHash } from 'node:crypto';
import { DicomError, dicomSummary, frameGeometry, isDicom, modalityRefusal, openDicom, renderFrame, type DicomSummary, type SliceMeta, type Window } from '../core/dicom/index.ts';
import type { Pixels } from '../core/preprocess.ts';
import { decodeImage } from './decode.ts';
import { nodeWasm } from './dicom-wasm.ts';

export interface InputFrame {
  /** 1-based frame number for DICOM, null for a picture. */
  frame: number | null;
  pixels: Pixels;
  window: Window | null;
  /** DICOM: what the validated-use rules read (models/core/scope.ts); null for a picture. */
  meta: SliceMeta | null;
  /** DICOM: the frame's place among the file's frames (0-based), when the file holds more than one. */
  where: { index: number; count: number } | null;
}

export interface DecodedInput {
  frames: InputFrame[];
  /** How a DICOM file was read (the window is the first frame's until an answer picks its frame). */
  dicom: DicomSummary | null;
  /**
   * DICOM: sha256 of the rendered frames, what the server's history keeps instead of the file's hash (the file's
   * bytes hold the patient's name and IDs; the PWA keeps the same kind of pixel hash).
   */
  pixelSha256: string | null;
}

export async function decodeInput(bytes: Uint8Array): Promise<DecodedInput> {
  if (!isDicom(bytes)) return { frames: [{ frame: null, pixels: await decodeImage(bytes), window: null, meta: null, where: null }], dicom: null, pixelSha256: null };
  const file = openDicom(bytes);
  const refusal = modalityRefusal(file);
  if (refusal) throw new DicomError('not_mri', refusal);
  const frames: InputFrame[] = [];
  for (let n = 1; n <= file.image.frames; n++) {
    const f = await renderFrame(file, n, nodeWasm);
    const multi = file.image.frames > 1;
    frames.push({ frame: multi ? n : null, pixels: f.pixels, window: f.window, meta: multi ? { ...file.meta, ...frameGeometry(file.dataSet, n - 1) } : file.meta, where: multi ? { index: n - 1, count: file.image.frames } : null });
  }
  const hash = createHash('sha256');
  for (const f of frames) hash.update(f.pixels.data);
  return { frames, dicom: dicomSummary(file, frames[0]!.window), pixelSha256: hash.digest('hex') };
}

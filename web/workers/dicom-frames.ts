// DICOM in the inference worker, loaded only when a file sniffs as DICOM: the shared reader (models/core/dicom)
// parses it, refuses a modality other than MR, and renders one frame to the 8-bit Pixels the shared preprocessing
// takes — the same code the server and the CLI run. Codecs come from web/lib/codec-assets.ts (fetched once, cached).
import { CodedError } from '../../models/core/errors.ts';
import { loadCodec, modalityRefusal, openDicom, patientStudyOf, renderFrame, wasmCodecFor, type DicomImageFile } from '../../models/core/dicom/index.ts';
import { DicomError } from '../../models/core/dicom/errors.ts';
import { modalityValues, storedValues, toDisplay } from '../../models/core/dicom/display.ts';
import { decodeFrame } from '../../models/core/dicom/frames.ts';
import type { Pixels } from '../../models/core/preprocess.ts';
import type { SliceMeta } from '../../models/core/dicom/parse.ts';
import type { WasmCodec } from '../../models/core/dicom/wasm-codecs.ts';
import { CODECS, browserWasm, codecUnavailable, keepDicomChunks } from '../lib/codec-assets.ts';
import type { DicomHeader, DicomInfo, SliceView } from '../lib/dicom-info.ts';
import { sha256Hex } from '../lib/id.ts';

const wasm = browserWasm();
const ready = new Set<WasmCodec>();

/** Loads a codec (its glue and its WASM), keeping both for offline use; codec_unavailable when it cannot. */
export async function ensureCodec(codec: WasmCodec): Promise<void> {
  if (ready.has(codec)) return;
  try {
    await loadCodec(codec, wasm);
  } catch (err) {
    if (err instanceof CodedError) throw err;
    throw codecUnavailable(codec, err instanceof Error ? err.message : String(err));
  }
  await keepDicomChunks().catch(() => undefined);
  ready.add(codec);
}

/** Every codec, for "Prepare DICOM decoders for offline use". */
export async function prepareAll(): Promise<void> {
  for (const c of CODECS) await ensureCodec(c);
}

/** The last file opened, by the caller's key: the frames of a multi-frame file are parsed once. */
let last: { key: string; file: DicomImageFile; uidSha: string } | null = null;

async function open(blob: Blob, key: string | undefined) {
  if (key && last?.key === key) return last;
  const file = openDicom(new Uint8Array(await blob.arrayBuffer()));
  const opened = { key: key ?? '', file, uidSha: await sha256Hex(new TextEncoder().encode(file.meta.sopInstanceUid)) };
  last = key ? opened : null;
  return opened;
}

export interface RenderedFrame {
  info: DicomInfo;
  /** null when the file is refused (a modality other than MR): nothing is decoded. */
  pixels: Pixels | null;
  /** What the validated-use rules read (models/core/scope.ts); no patient identity. */
  meta: SliceMeta;
  /** With `view`: the frame's modality values for the series viewer (null for colour images). */
  view?: SliceView | null;
}

/** The header of a file, for the study list: parsed, never decoded (throws no_image for a DICOMDIR or an SR). */
export function dicomHeader(bytes: Uint8Array): DicomHeader {
  const { meta, image, patient, dataSet } = openDicom(bytes);
  return {
    meta,
    frames: image.frames,
    rows: image.rows,
    columns: image.columns,
    patient: { name: patient.name, id: patient.id, studyDate: patient.studyDate, studyDescription: patient.studyDescription },
    study: patientStudyOf(dataSet),
  };
}

/** Modality values of a grey frame, as compact as they fit: Int16 for integer values in range (most MR), else Float32. */
function sliceView(values: Float64Array, width: number, height: number, window: { center: number; width: number }, invert: boolean): SliceView {
  let min = Infinity, max = -Infinity, integral = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && v !== Math.round(v)) integral = false;
  }
  const small = integral && min >= -32768 && max <= 32767;
  return { width, height, values: small ? Int16Array.from(values) : Float32Array.from(values), min, max, window, invert };
}

/** Frame `frame` (1-based) of a DICOM file; throws the reader's coded errors, or codec_unavailable. */
export async function dicomFrame(blob: Blob, frame = 1, key?: string, view = false): Promise<RenderedFrame> {
  const { file, uidSha } = await open(blob, key);
  const { meta, patient, image, transferSyntax } = file;
  const info: DicomInfo = {
    frame,
    frames: image.frames,
    modality: meta.modality,
    transferSyntax: transferSyntax.uid,
    transferSyntaxName: transferSyntax.name,
    seriesDescription: meta.seriesDescription,
    window: null,
    sopInstanceUidSha256: uidSha,
    patient: { name: patient.name, id: patient.id, studyDate: patient.studyDate },
  };
  const refusal = modalityRefusal(file);
  if (refusal) return { info: { ...info, refusal }, pixels: null, meta };
  if (!Number.isInteger(frame) || frame < 1 || frame > image.frames) {
    throw new DicomError('corrupt_image', `No frame ${frame} in a file of ${image.frames}.`);
  }
  const codec = wasmCodecFor(transferSyntax.codec);
  if (codec) await ensureCodec(codec);
  let rendered: Awaited<ReturnType<typeof renderFrame>>;
  let sliceViewOf: SliceView | null = null;
  if (view) {
    // One decode for both: the 8-bit frame the model sees, and the modality values the viewer windows itself.
    const decoded = await decodeFrame(file, frame - 1, wasm);
    rendered = { frame, ...toDisplay(decoded, image, file.rendering) };
    const grey = rendered.pixels.channels === 1 && rendered.window;
    if (grey) {
      const n = image.rows * image.columns;
      const stored = storedValues(decoded.samples.length === n ? decoded : { ...decoded, samples: decoded.samples.subarray(0, n) }, image);
      const w = rendered.window!;
      sliceViewOf = sliceView(modalityValues(stored, file.rendering), image.columns, image.rows, { center: w.center, width: w.width }, image.photometric === 'MONOCHROME1');
    }
  } else {
    rendered = await renderFrame(file, frame, wasm);
  }
  if (key && frame === image.frames && last?.key === key) last = null; // the last frame: the file's bytes can go
  const { data } = rendered.pixels;
  const pixelsSha256 = await sha256Hex(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return { info: { ...info, window: rendered.window, pixelsSha256 }, pixels: rendered.pixels, meta, ...(view ? { view: sliceViewOf } : {}) };
}

/** The rendered frame as a PNG: what "Analyse on server" uploads instead of the DICOM (no header, no UID, no name). */
export async function framePng({ data, width, height, channels }: Pixels): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { colorSpace: 'srgb' });
  if (!ctx) throw new CodedError('no_canvas', 'This browser cannot encode images off screen.');
  const img = ctx.createImageData(width, height);
  for (let i = 0, n = width * height; i < n; i++) {
    const o = 4 * i;
    if (channels === 1) {
      const v = data[i]!;
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
    } else {
      for (let c = 0; c < 3; c++) img.data[o + c] = data[i * channels + c]!;
    }
    img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

// The one preprocessing pipeline: pixels in, model tensor out.
// Pure TypeScript on plain buffers so the browser, the server and the dataset script
// run exactly the same arithmetic.
import { INPUT_SIZE } from './contract.ts';
import { CodedError, isTooLarge, isTooSmall, tooLargeMessage, tooSmallMessage } from './errors.ts';
import { kernels, layout } from './wasm/kernels.ts';

export const PREPROCESS_VERSION = 'pp-1';

export interface Pixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA (alpha composited over black, the MRI background). */
  channels: 1 | 2 | 3 | 4;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Preprocessed {
  /** size × size grey pixels, the crop the model sees. */
  pixels: Uint8Array;
  /** Float32 [1, 1, size, size], pixels / 255. */
  tensor: Float32Array;
  size: number;
  crop: Box;
  /** Mean absolute channel difference (0 for grey images): MRIs are grey. */
  colourfulness: number;
}

export const PREPROCESS_ERROR_CODES = ['bad_dimensions', 'too_large', 'too_small', 'bad_buffer'] as const;
export type PreprocessErrorCode = (typeof PREPROCESS_ERROR_CODES)[number];

export class PreprocessError extends CodedError<PreprocessErrorCode> {}

export function validatePixels({ data, width, height, channels }: Pixels): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new PreprocessError('bad_dimensions', `Image dimensions must be positive integers, got ${width}×${height}.`);
  }
  if (isTooLarge(width, height)) throw new PreprocessError('too_large', tooLargeMessage(width, height));
  if (isTooSmall(width, height)) throw new PreprocessError('too_small', tooSmallMessage(width, height));
  if (![1, 2, 3, 4].includes(channels)) {
    throw new PreprocessError('bad_buffer', `Unsupported channel count ${channels}.`);
  }
  if (data.length !== width * height * channels) {
    throw new PreprocessError('bad_buffer', `Pixel buffer holds ${data.length} bytes, expected ${width * height * channels}.`);
  }
}

/**
 * Luma (BT.601), alpha composited over black, and how colourful the image is (the kernel `grey` in
 * wasm/preprocess.wat: plain IEEE arithmetic, the same in every runtime). Opaque pixels take the integer form
 * round((299r + 587g + 114b) / 1000), equal to the rounded float luma for every input
 * (tests/models/preprocess-identity.test.ts checks all of them).
 */
export function toGrey(px: Pixels): { grey: Uint8Array; colourfulness: number } {
  const { colourfulness, n } = greyInMemory(px);
  return { grey: greyView(n).slice(), colourfulness };
}

// The kernels work on the grey image at offset 0 of their memory: preprocess() puts it there once for all three steps.
const greyView = (n: number) => new Uint8Array(layout([n]).heap, 0, n);
const greyToMemory = (grey: Uint8Array) => greyView(grey.length).set(grey);

/** Writes the grey image at offset 0 of the kernels' memory. */
function greyInMemory(px: Pixels): { colourfulness: number; n: number } {
  const { data, width, height, channels } = px;
  const n = width * height;
  if (channels === 1) {
    greyToMemory(data as Uint8Array);
    return { colourfulness: 0, n };
  }
  const { at: [, src], heap } = layout([n, n * channels]);
  const grey = new Uint8Array(heap, 0, n);
  if (channels === 2) {
    for (let i = 0; i < n; i++) grey[i] = Math.round((data[2 * i]! * data[2 * i + 1]!) / 255);
    return { colourfulness: 0, n };
  }
  new Uint8Array(heap, src, n * channels).set(data);
  return { colourfulness: kernels().grey(src!, n, channels, 0) / (3 * n), n };
}

/**
 * Bounding box of the brain: rows and columns where enough pixels are brighter than a
 * threshold set from the image's own bright level. Small specks and text labels in a
 * corner do not count because a row or column needs 2 % of its length above threshold.
 * Falls back to the whole image when nothing stands out (blank, dark or odd images).
 */
export function findCropBox(grey: Uint8Array, width: number, height: number): Box {
  greyToMemory(grey);
  return cropBoxInMemory(width, height);
}

function cropBoxInMemory(width: number, height: number): Box {
  const n = width * height;
  const { at: [g, h, rows, cols], heap } = layout([n, 4 * 256 * 4, height * 4, width * 4]);
  kernels().histogram(g!, n, h!);
  const hist = new Uint32Array(heap, h, 256);
  let acc = 0;
  let p99 = 255;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= n * 0.99) { p99 = v; break; }
  }
  const threshold = Math.max(12, Math.round(p99 * 0.12));
  kernels().brightCounts(g!, width, height, threshold, rows!, cols!);
  const rowCount = new Uint32Array(heap, rows, height).slice();
  const colCount = new Uint32Array(heap, cols, width).slice();
  const span = (counts: Uint32Array, length: number): [number, number] | null => {
    const need = Math.max(1, Math.ceil(length * 0.02));
    let lo = -1, hi = -1;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i]! >= need) { if (lo < 0) lo = i; hi = i; }
    }
    return lo < 0 ? null : [lo, hi];
  };
  const ys = span(rowCount, width);
  const xs = span(colCount, height);
  const whole = { x: 0, y: 0, width, height };
  if (!ys || !xs) return whole;
  const bw = xs[1] - xs[0] + 1, bh = ys[1] - ys[0] + 1;
  if (bw < Math.min(8, width) || bh < Math.min(8, height)) return whole;
  const margin = Math.round(Math.max(bw, bh) * 0.04);
  const x0 = Math.max(0, xs[0] - margin), y0 = Math.max(0, ys[0] - margin);
  const x1 = Math.min(width, xs[1] + 1 + margin), y1 = Math.min(height, ys[1] + 1 + margin);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * For each output index i, the source cells overlapping [off + i·scale, off + (i+1)·scale) clipped to [lo, hi):
 * their indices and overlaps from start[i] to start[i + 1], written into the given arrays; returns the cell count.
 */
function cellTable(off: number, scale: number, lo: number, hi: number, size: number, start: Int32Array, index: Int32Array, weight: Float64Array): number {
  let n = 0;
  start[0] = 0;
  for (let i = 0; i < size; i++) {
    const from = off + i * scale;
    const a = Math.max(from, lo), b = Math.min(from + scale, hi);
    for (let s = Math.floor(a); s < b; s++) {
      const w = Math.min(b, s + 1) - Math.max(a, s);
      if (w > 0) { index[n] = s; weight[n] = w; n++; }
    }
    start[i + 1] = n;
  }
  return n;
}

/**
 * Resamples the box onto a size × size square, centred, aspect kept, black padding.
 * Area averaging (each output pixel is the exact mean of the source area it covers),
 * which is also a correct bilinear-free upscale for small crops.
 * Each sum runs in the same order with the same products as pp-1 always did (grey · wy · wx, rows outer), so the
 * result is bit-identical; the loops run in WebAssembly (wasm/preprocess.wat), the cell tables are built here.
 */
export function resizeToSquare(grey: Uint8Array, width: number, box: Box, size: number): Uint8Array {
  greyToMemory(grey);
  return resizeInMemory(grey.length, width, box, size);
}

function resizeInMemory(n: number, width: number, box: Box, size: number): Uint8Array {
  const side = Math.max(box.width, box.height);
  const scale = side / size;
  const most = size * (Math.ceil(scale) + 2);
  // grey, column table, row table, the columns padded to four cells, the output
  const { at: [g, cs, ci, cw, rs, ri, rw, c4, w4, out], heap } = layout([n, (size + 1) * 4, most * 4, most * 8, (size + 1) * 4, most * 4, most * 8, size * 16, size * 32, size * size]);
  const cStart = new Int32Array(heap, cs, size + 1), cIndex = new Int32Array(heap, ci, most), cWeight = new Float64Array(heap, cw, most);
  cellTable(box.x - (side - box.width) / 2, scale, box.x, box.x + box.width, size, cStart, cIndex, cWeight);
  cellTable(box.y - (side - box.height) / 2, scale, box.y, box.y + box.height, size, new Int32Array(heap, rs, size + 1), new Int32Array(heap, ri, most), new Float64Array(heap, rw, most));
  let widest = 0;
  for (let i = 0; i < size; i++) widest = Math.max(widest, cStart[i + 1]! - cStart[i]!);
  const k = kernels();
  if (widest > 4) {
    k.resize(g!, width, size, cs!, ci!, cw!, rs!, ri!, rw!, scale * scale, out!);
  } else {
    // At most four cells a column (a shrink of up to 3×, the usual case): padded to four with weight 0.
    const cells = new Int32Array(heap, c4, size * 4), weights = new Float64Array(heap, w4, size * 4);
    for (let i = 0; i < size; i++) {
      const c0 = cStart[i]!, taps = cStart[i + 1]! - c0;
      for (let j = 0; j < 4; j++) {
        cells[i * 4 + j] = j < taps ? cIndex[c0 + j]! : box.x;
        weights[i * 4 + j] = j < taps ? cWeight[c0 + j]! : 0;
      }
    }
    k.resize4(g!, width, size, c4!, w4!, rs!, ri!, rw!, scale * scale, out!);
  }
  return new Uint8Array(heap, out, size * size).slice();
}

/** pixels / 255 as Float32. Uses the kernels' memory from offset 0: call it after any other kernel work is read out. */
export function toTensor(pixels: Uint8Array): Float32Array {
  const { tensor } = kernels();
  if (tensor) {
    const n = pixels.length;
    const { at: [src, dst], heap } = layout([n, n * 4]);
    new Uint8Array(heap, src, n).set(pixels);
    tensor(src!, n, dst!);
    return new Float32Array(heap, dst, n).slice();
  }
  const t = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) t[i] = pixels[i]! / 255;
  return t;
}

export function preprocess(px: Pixels, size: number = INPUT_SIZE): Preprocessed {
  validatePixels(px);
  const { colourfulness, n } = greyInMemory(px);
  const crop = cropBoxInMemory(px.width, px.height);
  const pixels = resizeInMemory(n, px.width, crop, size);
  return { pixels, tensor: toTensor(pixels), size, crop, colourfulness };
}

// pp-1 as it was written first (commit 9d99b47), kept as the oracle for tests/models/preprocess-identity.test.ts:
// the faster models/core/preprocess.ts must give bit-identical crops and tensors. Not used by the app.
// Only the arithmetic is kept; the types and the input checks are the app's own.
import { INPUT_SIZE } from '../../models/core/contract.ts';
import { validatePixels, type Box, type Pixels, type Preprocessed } from '../../models/core/preprocess.ts';

/** Luma (BT.601), alpha composited over black. Plain IEEE arithmetic: every JS runtime agrees. */
export function toGrey(px: Pixels): { grey: Uint8Array; colourfulness: number } {
  const { data, width, height, channels } = px;
  const n = width * height;
  const grey = new Uint8Array(n);
  if (channels === 1) {
    grey.set(data);
    return { grey, colourfulness: 0 };
  }
  if (channels === 2) {
    for (let i = 0; i < n; i++) grey[i] = Math.round((data[2 * i]! * data[2 * i + 1]!) / 255);
    return { grey, colourfulness: 0 };
  }
  let colourSum = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const r = data[p]!, g = data[p + 1]!, b = data[p + 2]!;
    const a = channels === 4 ? data[p + 3]! : 255;
    const luma = (299 * r + 587 * g + 114 * b) / 1000;
    grey[i] = Math.round((luma * a) / 255);
    colourSum += ((Math.abs(r - g) + Math.abs(g - b) + Math.abs(b - r)) * a) / 255;
  }
  return { grey, colourfulness: colourSum / (3 * n) };
}

/**
 * Bounding box of the brain: rows and columns where enough pixels are brighter than a
 * threshold set from the image's own bright level. Small specks and text labels in a
 * corner do not count because a row or column needs 2 % of its length above threshold.
 * Falls back to the whole image when nothing stands out (blank, dark or odd images).
 */
export function findCropBox(grey: Uint8Array, width: number, height: number): Box {
  const hist = new Uint32Array(256);
  for (let i = 0; i < grey.length; i++) hist[grey[i]!]!++;
  let acc = 0;
  let p99 = 255;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= grey.length * 0.99) { p99 = v; break; }
  }
  const threshold = Math.max(12, Math.round(p99 * 0.12));
  const rowCount = new Uint32Array(height);
  const colCount = new Uint32Array(width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (grey[row + x]! > threshold) { rowCount[y]!++; colCount[x]!++; }
    }
  }
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

/** For each output index, the source cells overlapping [off + i·scale, off + (i+1)·scale) clipped to [lo, hi). */
function cellTable(off: number, scale: number, lo: number, hi: number, size: number) {
  const start = new Int32Array(size + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < size; i++) {
    const from = off + i * scale;
    const a = Math.max(from, lo), b = Math.min(from + scale, hi);
    for (let s = Math.floor(a); s < b; s++) {
      const w = Math.min(b, s + 1) - Math.max(a, s);
      if (w > 0) { index.push(s); weight.push(w); }
    }
    start[i + 1] = index.length;
  }
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * Resamples the box onto a size × size square, centred, aspect kept, black padding.
 * Area averaging (each output pixel is the exact mean of the source area it covers),
 * which is also a correct bilinear-free upscale for small crops.
 */
export function resizeToSquare(grey: Uint8Array, width: number, box: Box, size: number): Uint8Array {
  const side = Math.max(box.width, box.height);
  const scale = side / size;
  const cols = cellTable(box.x - (side - box.width) / 2, scale, box.x, box.x + box.width, size);
  const rows = cellTable(box.y - (side - box.height) / 2, scale, box.y, box.y + box.height, size);
  const out = new Uint8Array(size * size);
  const area = scale * scale;
  for (let oy = 0; oy < size; oy++) {
    const r0 = rows.start[oy]!, r1 = rows.start[oy + 1]!;
    for (let ox = 0; ox < size; ox++) {
      const c0 = cols.start[ox]!, c1 = cols.start[ox + 1]!;
      let sum = 0;
      for (let r = r0; r < r1; r++) {
        const base = rows.index[r]! * width, wy = rows.weight[r]!;
        for (let c = c0; c < c1; c++) sum += grey[base + cols.index[c]!]! * wy * cols.weight[c]!;
      }
      out[oy * size + ox] = Math.min(255, Math.round(sum / area));
    }
  }
  return out;
}

export function toTensor(pixels: Uint8Array): Float32Array {
  const t = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) t[i] = pixels[i]! / 255;
  return t;
}

export function preprocess(px: Pixels, size: number = INPUT_SIZE): Preprocessed {
  validatePixels(px);
  const { grey, colourfulness } = toGrey(px);
  const crop = findCropBox(grey, px.width, px.height);
  const pixels = resizeToSquare(grey, px.width, crop, size);
  return { pixels, tensor: toTensor(pixels), size, crop, colourfulness };
}

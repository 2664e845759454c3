// Decoded samples → 8-bit display values as DICOM defines them (PS3.3 C.11, PS3.4 N.2): Bits Stored and the sign,
// then the Modality LUT or Rescale Slope/Intercept, then the VOI (the file's first window, or its VOI LUT), then
// MONOCHROME1 inverted. Colour images go to RGB for the shared pipeline, which turns them grey like any colour image.
import type { Pixels } from '../preprocess.ts';
import { dicomErrors } from './errors.ts';
import type { DecodedFrame } from './frames.ts';
import type { ImageInfo, Lut, Rendering } from './parse.ts';

export interface Window {
  center: number;
  width: number;
  /** file: the file's Window Center/Width; lut: its VOI LUT; auto: none in the file, see autoWindow. */
  source: 'file' | 'lut' | 'auto';
}

export interface DisplayFrame {
  pixels: Pixels;
  window: Window | null;
}

/**
 * Stored values: the Bits Stored bits of each sample, sign-extended when Pixel Representation is 1. Float64, not
 * Int32: unsigned 32-bit values (RT dose, 32-bit colour) reach 2³² − 1.
 */
export function storedValues(frame: DecodedFrame, image: ImageInfo): Float64Array {
  const { samples, shift } = frame;
  const bits = image.bitsStored;
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  const out = new Float64Array(samples.length);
  if (bits + shift < 32) {
    const signed = image.pixelRepresentation === 1;
    for (let i = 0; i < samples.length; i++) {
      const v = (samples[i]! >>> shift) & mask;
      out[i] = signed && v >= signBit ? v - 2 * signBit : v;
    }
    return out;
  }
  for (let i = 0; i < samples.length; i++) {
    let v = Math.floor(samples[i]! / 2 ** shift) % (mask + 1);
    if (image.pixelRepresentation === 1 && v >= signBit) v -= 2 * signBit;
    out[i] = v;
  }
  return out;
}

const lutLookup = (lut: Lut, x: number) => lut.data[Math.min(lut.data.length - 1, Math.max(0, Math.round(x) - lut.firstMapped))]!;

export function modalityValues(stored: Float64Array, r: Rendering): Float64Array {
  const out = new Float64Array(stored.length);
  if (r.modalityLut) {
    for (let i = 0; i < stored.length; i++) out[i] = lutLookup(r.modalityLut, stored[i]!);
  } else {
    for (let i = 0; i < stored.length; i++) out[i] = stored[i]! * r.rescaleSlope + r.rescaleIntercept;
  }
  return out;
}

/** One window function (PS3.3 C.11.2.1.2) onto 0–255. */
export function windowFunction(fn: Rendering['voiFunction'], center: number, width: number): (x: number) => number {
  if (fn === 'SIGMOID') return (x) => 255 / (1 + Math.exp((-4 * (x - center)) / width));
  if (fn === 'LINEAR_EXACT') {
    return (x) => (x <= center - width / 2 ? 0 : x > center + width / 2 ? 255 : ((x - center) / width + 0.5) * 255);
  }
  const w = Math.max(1, width);
  return (x) => {
    if (x <= center - 0.5 - (w - 1) / 2) return 0;
    if (x > center - 0.5 + (w - 1) / 2) return 255;
    return ((x - (center - 0.5)) / (w - 1) + 0.5) * 255;
  };
}

/**
 * No VOI in the file: the full range of the modality values, minimum to maximum (LINEAR_EXACT). That is how
 * exports such as the training JPEGs were made from scanner data, so a file rendered this way looks like them.
 */
export function autoWindow(values: Float64Array, present?: Uint8Array): { center: number; width: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (present && !present[i]) continue;
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { center: 0, width: 1 };
  return { center: (lo + hi) / 2, width: Math.max(1, hi - lo) };
}

function voi(values: Float64Array, r: Rendering, present?: Uint8Array): { grey: Uint8Array; window: Window } {
  const grey = new Uint8Array(values.length);
  const first = r.windows[0];
  if (!first && r.voiLut) {
    const lut = r.voiLut;
    let top = 0;
    for (let i = 0; i < lut.data.length; i++) if (lut.data[i]! > top) top = lut.data[i]!;
    const scale = 255 / Math.max(1, Math.min(2 ** lut.bits - 1, 2 ** Math.ceil(Math.log2(top + 1)) - 1));
    for (let i = 0; i < values.length; i++) grey[i] = Math.min(255, Math.round(lutLookup(lut, values[i]!) * scale));
    const n = lut.data.length;
    return { grey, window: { center: lut.firstMapped + n / 2, width: n, source: 'lut' } };
  }
  const { center, width } = first ?? autoWindow(values, present);
  const f = windowFunction(first ? r.voiFunction : 'LINEAR_EXACT', center, width);
  for (let i = 0; i < values.length; i++) grey[i] = Math.round(f(values[i]!));
  return { grey, window: { center, width, source: first ? 'file' : 'auto' } };
}

const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** YCbCr (full range, PS3.3 C.7.6.3.1.2) → RGB. */
function ybrToRgb(y: number, cb: number, cr: number, out: Uint8Array, o: number) {
  out[o] = clamp8(y + 1.402 * (cr - 128));
  out[o + 1] = clamp8(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
  out[o + 2] = clamp8(y + 1.772 * (cb - 128));
}

function colourPixels(frame: DecodedFrame, image: ImageInfo): Pixels {
  const { rows, columns, bitsStored, photometric } = image;
  const n = rows * columns;
  const stored = storedValues(frame, { ...image, pixelRepresentation: 0 });
  // Full range onto full range: 65535 → 255 and 0x8080 → 128 (dividing by 2^(bits − 8) gave 128.5 → 129).
  const down = bitsStored > 8 ? (2 ** bitsStored - 1) / 255 : 1;
  const rgb = new Uint8Array(n * 3);
  if (photometric === 'YBR_FULL_422' && !frame.rgb && frame.components === 2) {
    for (let p = 0; p < n; p += 2) {
      const b = p * 2; // Y0 Y1 Cb Cr
      const cb = stored[b + 2]! / down, cr = stored[b + 3]! / down;
      ybrToRgb(stored[b]! / down, cb, cr, rgb, p * 3);
      if (p + 1 < n) ybrToRgb(stored[b + 1]! / down, cb, cr, rgb, (p + 1) * 3);
    }
    return { data: rgb, width: columns, height: rows, channels: 3 };
  }
  if (frame.components !== 3 || stored.length < n * 3) throw dicomErrors.unsupportedImage(`${photometric} with ${frame.components} samples a pixel`);
  const planar = frame.planar && image.planarConfiguration === 1;
  const at = (p: number, c: number) => stored[planar ? c * n + p : p * 3 + c]! / down;
  const ybr = !frame.rgb && photometric.startsWith('YBR_FULL');
  for (let p = 0; p < n; p++) {
    if (ybr) ybrToRgb(at(p, 0), at(p, 1), at(p, 2), rgb, p * 3);
    else for (let c = 0; c < 3; c++) rgb[p * 3 + c] = clamp8(at(p, c));
  }
  return { data: rgb, width: columns, height: rows, channels: 3 };
}

/** Largest span of stored values rendered through a table (one entry per value) instead of pixel by pixel. */
const TABLE_SPAN = 1 << 17;

/**
 * Stored values → 8-bit grey. Scanner images hold at most 2¹⁶ distinct values, so the modality and VOI steps run
 * once per value in the image's range (a table), not once per pixel: the same arithmetic, a fraction of the work.
 */
function greyOf(stored: Float64Array, r: Rendering): { grey: Uint8Array; window: Window } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const v = stored[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi - lo < TABLE_SPAN)) return voi(modalityValues(stored, r), r);
  const span = hi - lo + 1;
  const present = new Uint8Array(span);
  for (let i = 0; i < stored.length; i++) present[stored[i]! - lo] = 1;
  const entries = new Float64Array(span);
  for (let i = 0; i < span; i++) entries[i] = lo + i;
  const { grey: table, window } = voi(modalityValues(entries, r), r, present);
  const grey = new Uint8Array(stored.length);
  for (let i = 0; i < stored.length; i++) grey[i] = table[stored[i]! - lo]!;
  return { grey, window };
}

export function toDisplay(frame: DecodedFrame, image: ImageInfo, rendering: Rendering): DisplayFrame {
  const { rows, columns, photometric } = image;
  if (photometric === 'PALETTE COLOR') throw dicomErrors.unsupportedImage('palette colour');
  if (image.samplesPerPixel === 3 || photometric === 'RGB' || photometric.startsWith('YBR')) {
    return { pixels: colourPixels(frame, image), window: null };
  }
  if (frame.components !== 1) throw dicomErrors.unsupportedImage(`${photometric} with ${frame.components} samples a pixel`);
  const n = rows * columns;
  if (frame.samples.length < n) throw dicomErrors.corrupt(`the frame holds ${frame.samples.length} of ${n} pixels`);
  const stored = storedValues(frame.samples.length === n ? frame : { ...frame, samples: frame.samples.subarray(0, n) }, image);
  const { grey, window } = greyOf(stored, rendering);
  if (photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) grey[i] = 255 - grey[i]!;
  return { pixels: { data: grey, width: columns, height: rows, channels: 1 }, window };
}

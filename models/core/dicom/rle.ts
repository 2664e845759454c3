// RLE Lossless (PS3.5 Annex G): one PackBits segment per byte plane, most significant byte of each sample first.
import { dicomErrors } from './errors.ts';

export function decodeRle(frame: Uint8Array, pixels: number, samples: number, bytesPerSample: number): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame.length < 64) throw dicomErrors.corrupt('RLE header cut short');
  const segments = view.getUint32(0, true);
  if (segments !== samples * bytesPerSample) throw dicomErrors.corrupt(`RLE has ${segments} segments, expected ${samples * bytesPerSample}`);
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  const stride = samples * bytesPerSample;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || start > end || end > frame.length) throw dicomErrors.corrupt('RLE segment offset outside the frame');
    const sample = Math.floor(s / bytesPerSample);
    const significance = s % bytesPerSample; // 0 = most significant
    // Little-endian output: the most significant byte goes last within the sample.
    let o = sample * bytesPerSample + (bytesPerSample - 1 - significance);
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (frame[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && i < end && written < pixels; k++, written++, o += stride) out[o] = frame[i++]!;
      } else if (n !== -128) {
        const v = frame[i++]!;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = v;
      }
    }
    if (written < pixels) throw dicomErrors.corrupt(`RLE segment ${s + 1} holds ${written} of ${pixels} values`);
  }
  return out;
}

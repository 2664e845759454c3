// Difference hash of a square grey crop: 64 bits as two 32-bit words.
// Catches resized and re-encoded copies of the same slice.
import { resizeToSquare } from './preprocess.ts';

export function dHash(pixels: Uint8Array, size: number): [number, number] {
  const small = resizeToSquare(pixels, size, { x: 0, y: 0, width: size, height: size }, 9);
  const words: [number, number] = [0, 0];
  let bit = 0;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++, bit++) {
      if (small[y * 9 + x]! > small[y * 9 + x + 1]!) words[bit >> 5] = (words[bit >> 5]! | (1 << (bit & 31))) >>> 0;
    }
  }
  return words;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function hammingDistance(a: [number, number], b: [number, number]): number {
  return popcount((a[0] ^ b[0]) >>> 0) + popcount((a[1] ^ b[1]) >>> 0);
}

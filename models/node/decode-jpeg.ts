// Plain JPEGs — 8-bit, grey or YCbCr, no ICC profile, upright — through the libjpeg-turbo WASM build the DICOM
// reader already loads: a fraction of sharp's fixed cost per call on a small image, and the same pixels
// (tests/models/decode-jpeg.test.ts compares them on every MRI in ../shared). Anything else is left to sharp.
import { runWasmDecoder } from '../core/dicom/frames.ts';
import { decodeErrors, isTooLarge } from '../core/errors.ts';
import { jpegMarkers } from '../core/jpeg-markers.ts';
import type { Pixels } from '../core/preprocess.ts';
import { nodeWasm } from './dicom-wasm.ts';

/** SOF0 baseline, SOF1 extended (8-bit), SOF2 progressive: the Huffman processes libjpeg-turbo decodes. */
const HUFFMAN_DCT = new Set([0xc0, 0xc1, 0xc2]);

/** The pixels, or null when sharp should decode (or refuse) this file instead. Throws too_large before decoding. */
export async function decodePlainJpeg(bytes: Uint8Array): Promise<Pixels | null> {
  const { frame, icc, adobeTransform, orientation } = jpegMarkers(bytes);
  if (!frame || !HUFFMAN_DCT.has(frame.marker) || frame.precision !== 8) return null;
  if (frame.components !== 1 && frame.components !== 3) return null;
  // Colour management, CMYK/RGB as stored, or a rotation: sharp does these the way browsers do.
  if (icc || (orientation !== null && orientation !== 1) || (frame.components === 3 && adobeTransform !== null && adobeTransform !== 1)) return null;
  if (isTooLarge(frame.width, frame.height)) throw decodeErrors.tooLarge(frame.width, frame.height);
  // A truncated file is sharp's to refuse (failOn: 'truncated'); libjpeg would pad it with grey.
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  if (bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) return null;
  let decoded: Awaited<ReturnType<typeof runWasmDecoder>>;
  try {
    decoded = await runWasmDecoder('libjpeg-turbo', 'JPEGDecoder', bytes, nodeWasm);
  } catch {
    return null;
  }
  const { info, samples } = decoded;
  const channels = samples.length / (frame.width * frame.height);
  if (info.width !== frame.width || info.height !== frame.height || !(samples instanceof Uint8Array) || channels !== frame.components) return null;
  return { data: samples, width: frame.width, height: frame.height, channels: channels as 1 | 3 };
}

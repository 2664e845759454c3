// Server-side decoding: bytes → Pixels, with the EXIF orientation applied (as browsers do). Plain JPEGs take the
// WASM libjpeg-turbo path (decode-jpeg.ts); PNG, WebP and every other JPEG go through sharp.
import sharp, { type Metadata } from 'sharp';
import { decodeErrors, isTooLarge } from '../core/errors.ts';
import { MAX_PIXELS } from '../core/limits.ts';
import type { Pixels } from '../core/preprocess.ts';
import { sniffImageType } from '../core/sniff.ts';
import { decodePlainJpeg } from './decode-jpeg.ts';

export { DecodeError, type DecodeErrorCode } from '../core/errors.ts';

sharp.cache(false);

export async function decodeImage(bytes: Uint8Array): Promise<Pixels> {
  if (bytes.length === 0) throw decodeErrors.empty();
  const type = sniffImageType(bytes);
  if (!type) throw decodeErrors.unsupported();
  if (type === 'jpeg') {
    const plain = await decodePlainJpeg(bytes);
    if (plain) return plain;
  }
  return decodeWithSharp(bytes, type);
}

/** sharp: every type and JPEG variant, EXIF orientation applied, ICC colours to sRGB. */
export async function decodeWithSharp(bytes: Uint8Array, type: NonNullable<ReturnType<typeof sniffImageType>>): Promise<Pixels> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw decodeErrors.corrupt(type);
  }
  const { width = 0, height = 0 } = meta;
  if (isTooLarge(width, height)) throw decodeErrors.tooLarge(width, height);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_PIXELS })
      .rotate()
      .toColourspace(meta.channels && meta.channels <= 2 ? 'b-w' : 'srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels: info.channels as Pixels['channels'],
    };
  } catch {
    throw decodeErrors.corrupt(type);
  }
}

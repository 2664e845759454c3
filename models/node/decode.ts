// Server-side decoding: bytes → Pixels, with the EXIF orientation applied (as browsers do).
import sharp, { type Metadata } from 'sharp';
import { MAX_PIXELS, MAX_SIDE, type Pixels } from '../core/preprocess.ts';
import { sniffImageType } from '../core/sniff.ts';

export type DecodeErrorCode = 'unsupported_type' | 'too_large' | 'corrupt_image' | 'empty_file';

export class DecodeError extends Error {
  readonly code: DecodeErrorCode;
  constructor(code: DecodeErrorCode, message: string) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
  }
}

sharp.cache(false);

export async function decodeImage(bytes: Uint8Array): Promise<Pixels> {
  if (bytes.length === 0) throw new DecodeError('empty_file', 'The file is empty.');
  const type = sniffImageType(bytes);
  if (!type) throw new DecodeError('unsupported_type', 'Not a JPEG, PNG or WebP image.');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new DecodeError('corrupt_image', `The ${type.toUpperCase()} file is corrupt or truncated.`);
  }
  const { width = 0, height = 0 } = meta;
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new DecodeError('too_large', `Image is ${width}×${height}; the limit is ${MAX_SIDE} px a side and ${MAX_PIXELS / 1e6} megapixels.`);
  }
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
    throw new DecodeError('corrupt_image', `The ${type.toUpperCase()} file is corrupt or truncated.`);
  }
}

// Browser decoding: file bytes → RGBA pixels for the shared preprocessing pipeline.
// Works on the main thread and in workers (OffscreenCanvas). EXIF orientation is applied,
// as the server's sharp `.rotate()` does; no colour-space conversion, no premultiplication.
import type { Pixels } from '../../models/core/preprocess.ts';
import { MAX_PIXELS, MAX_SIDE } from '../../models/core/preprocess.ts';
import { sniffImageType } from '../../models/core/sniff.ts';

export class DecodeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DecodeError';
    this.code = code;
  }
}

export async function decodeBlob(blob: Blob): Promise<Pixels> {
  if (blob.size === 0) throw new DecodeError('empty_file', 'The file is empty.');
  const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
  const type = sniffImageType(head);
  if (!type) throw new DecodeError('unsupported_type', 'Not a JPEG, PNG or WebP image.');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    });
  } catch {
    throw new DecodeError('corrupt_image', `The ${type.toUpperCase()} file is corrupt or truncated.`);
  }
  const { width, height } = bitmap;
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    bitmap.close();
    throw new DecodeError('too_large', `Image is ${width}×${height}; the limit is ${MAX_SIDE} px a side.`);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!ctx) throw new DecodeError('no_canvas', 'This browser cannot decode images off screen.');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = ctx.getImageData(0, 0, width, height);
  return { data, width, height, channels: 4 };
}

// Browser decoding: file bytes → RGBA pixels for the shared preprocessing pipeline.
// Works on the main thread and in workers (OffscreenCanvas). EXIF orientation is applied,
// as the server's sharp `.rotate()` does; no colour-space conversion, no premultiplication.
import { CodedError, decodeErrors, isTooLarge } from '../../models/core/errors.ts';
import type { Pixels } from '../../models/core/preprocess.ts';
import { sniffImageType } from '../../models/core/sniff.ts';

export async function decodeBlob(blob: Blob): Promise<Pixels> {
  if (blob.size === 0) throw decodeErrors.empty();
  const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
  const type = sniffImageType(head);
  if (!type) throw decodeErrors.unsupported();
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
      imageOrientation: 'from-image',
    });
  } catch {
    throw decodeErrors.corrupt(type);
  }
  const { width, height } = bitmap;
  if (isTooLarge(width, height)) {
    bitmap.close();
    throw decodeErrors.tooLarge(width, height);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
  if (!ctx) throw new CodedError('no_canvas', 'This browser cannot decode images off screen.');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = ctx.getImageData(0, 0, width, height);
  return { data, width, height, channels: 4 };
}

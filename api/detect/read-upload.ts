// The image bytes of a /detect request: multipart field `file` (already validated), or a raw image body.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

const mediaTypeOf = (c: Context): string => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

export async function readUpload(c: Context, file: File | undefined): Promise<Uint8Array> {
  if (file) return new Uint8Array(await file.arrayBuffer());
  const type = mediaTypeOf(c);
  if (type === 'multipart/form-data') throw new ApiError(400, 'missing_file', 'Send exactly one image in the multipart field "file".');
  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ApiError(400, 'empty_file', 'The request body is empty: send the image.');
    return bytes;
  }
  if (!type) throw new ApiError(400, 'missing_file', 'Send the image as multipart/form-data in the field "file", or as a raw image/* body.');
  throw new ApiError(415, 'unsupported_type', `Content-Type ${type} is not accepted: send multipart/form-data with a field "file", or an image/* body.`);
}

// The image bytes of a /detect request: multipart with exactly one file, in the field `file`, or a raw image
// body. Every other shape is a 400 that says what was expected.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

const mediaTypeOf = (c: Context): string => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const EXPECTED = 'Send exactly one image in the multipart field "file"';

/** The one file of a parsed multipart form (values may be arrays when a field repeats). */
export function fileOf(form: Record<string, unknown>): File {
  const entries = Object.entries(form).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
  const files = entries.filter((e) => e.value instanceof File);
  if (files.length > 1) {
    throw new ApiError(400, 'too_many_files', `${EXPECTED}: got ${files.length} files (${files.map((f) => `"${f.name.slice(0, 40)}"`).join(', ')}).`);
  }
  const [only] = files;
  if (!only) {
    const text = entries.some((e) => e.name === 'file');
    const names = [...new Set(entries.map((e) => `"${e.name.slice(0, 40)}"`))].slice(0, 5).join(', ');
    throw new ApiError(400, 'missing_file', text ? `${EXPECTED}: "file" holds text, not a file.` : `${EXPECTED}: ${names ? `got only ${names}` : 'the form is empty'}.`);
  }
  if (only.name !== 'file') throw new ApiError(400, 'missing_file', `${EXPECTED}: the file came in the field "${only.name.slice(0, 40)}".`);
  return only.value as File;
}

export async function readUpload(c: Context, form: Record<string, unknown> | undefined): Promise<Uint8Array> {
  const type = mediaTypeOf(c);
  if (type === 'multipart/form-data') {
    const bytes = new Uint8Array(await fileOf(form ?? {}).arrayBuffer());
    if (bytes.length === 0) throw new ApiError(400, 'empty_file', 'The file in "file" is empty: send the image.');
    return bytes;
  }
  if (type.startsWith('image/') || type === 'application/octet-stream') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ApiError(400, 'empty_file', 'The request body is empty: send the image.');
    return bytes;
  }
  if (!type) throw new ApiError(400, 'missing_file', 'Send the image as multipart/form-data in the field "file", or as a raw image/* body.');
  throw new ApiError(415, 'unsupported_type', `Content-Type ${type.slice(0, 100)} is not accepted: send multipart/form-data with a field "file", or an image/* body.`);
}

// The image bytes of a /detect request: multipart with exactly one file, in any field (the original Flask
// client sends `File`, others `file` or `image`), or a raw image body. Every other shape is a 400 that says
// what was expected.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

const mediaTypeOf = (c: Context): string => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const EXPECTED = 'Send exactly one image file in the multipart form (any field name, e.g. "File")';
const quoted = (name: string) => `"${name.slice(0, 40)}"`;

/** The one file of a parsed multipart form (values may be arrays when a field repeats) and its field. */
export function fileOf(form: Record<string, unknown>): { field: string; file: File } {
  const entries = Object.entries(form).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })));
  const files = entries.filter((e): e is { name: string; value: File } => e.value instanceof File);
  if (files.length > 1) {
    throw new ApiError(400, 'too_many_files', `${EXPECTED}: got ${files.length} files (fields ${files.slice(0, 5).map((f) => quoted(f.name)).join(', ')}).`);
  }
  const [only] = files;
  if (!only) {
    const names = [...new Set(entries.map((e) => quoted(e.name)))].slice(0, 5).join(', ');
    throw new ApiError(400, 'missing_file', `${EXPECTED}: ${names ? `got only text in ${names}` : 'the form is empty'}.`);
  }
  return { field: only.name, file: only.value };
}

export async function readUpload(c: Context, form: Record<string, unknown> | undefined): Promise<Uint8Array> {
  const type = mediaTypeOf(c);
  if (type === 'multipart/form-data') {
    const { field, file } = fileOf(form ?? {});
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length === 0) throw new ApiError(400, 'empty_file', `The file in ${quoted(field)} is empty: send the image.`);
    return bytes;
  }
  if (type.startsWith('image/') || type === 'application/octet-stream' || type === 'application/dicom') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0) throw new ApiError(400, 'empty_file', 'The request body is empty: send the image.');
    return bytes;
  }
  if (!type) throw new ApiError(400, 'missing_file', 'Send the image as multipart/form-data (one file, e.g. in the field "File"), or as a raw image/* or application/dicom body.');
  throw new ApiError(415, 'unsupported_type', `Content-Type ${type.slice(0, 100)} is not accepted: send multipart/form-data with one file, or an image/* or application/dicom body.`);
}

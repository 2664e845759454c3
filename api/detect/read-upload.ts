// The image bytes of a /detect request: multipart with exactly one file, in any field (the original Flask
// client sends `File`, others `file` or `image`), or a raw image body. Every other shape is a 400 that says
// what was expected.
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { boundaryOf, formParts, type FormPart } from '../series/multipart.ts';

const mediaTypeOf = (c: Context): string => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const EXPECTED = 'Send exactly one image file in the multipart form (any field name, e.g. "File")';
const quoted = (name: string) => `"${name.slice(0, 40)}"`;
// Bounded by the body limit anyway; a form of thousands of text fields is still answered missing_file, as before.
const MAX_PARTS = 10_000;

/** A form's entries: a file's bytes (a Blob when undici parsed the form), or null for a text field. */
type Entry = { name: string; file: Uint8Array | Blob | null };

/**
 * Reads a multipart/form-data body with the shared multipart reader before the route's form validator runs, and hands
 * that validator an empty form: undici's FormData (a Blob and a File for every part) cost as much of the event loop
 * as the rest of the request. Without a boundary the body is left to the validator, which refuses it.
 */
export const readForm: MiddlewareHandler<AppEnv> = async (c, next) => {
  const boundary = mediaTypeOf(c) === 'multipart/form-data' ? boundaryOf(c.req.header('content-type')) : null;
  if (boundary) {
    c.set('formParts', await formParts(c.req.raw.body, boundary, { maxBytes: c.var.deps.config.bodyLimit, maxParts: MAX_PARTS }));
    c.req.bodyCache.formData = new FormData();
  }
  await next();
};

const entriesOf = (parts: FormPart[] | undefined, form: Record<string, unknown>): Entry[] =>
  parts
    ? parts.map((p) => ({ name: p.field, file: p.filename === null ? null : p.bytes }))
    : Object.entries(form).flatMap(([name, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ name, file: value instanceof Blob ? value : null })));

/** The one file of a form and its field. */
function fileOf(entries: Entry[]): { field: string; file: Uint8Array | Blob } {
  const files = entries.filter((e): e is { name: string; file: Uint8Array | Blob } => e.file !== null);
  if (files.length > 1) {
    throw new ApiError(400, 'too_many_files', `${EXPECTED}: got ${files.length} files (fields ${files.slice(0, 5).map((f) => quoted(f.name)).join(', ')}).`);
  }
  const [only] = files;
  if (!only) {
    const names = [...new Set(entries.map((e) => quoted(e.name)))].slice(0, 5).join(', ');
    throw new ApiError(400, 'missing_file', `${EXPECTED}: ${names ? `got only text in ${names}` : 'the form is empty'}.`);
  }
  return { field: only.name, file: only.file };
}

export async function readUpload(c: Context<AppEnv>, form: Record<string, unknown> | undefined): Promise<Uint8Array> {
  const type = mediaTypeOf(c);
  if (type === 'multipart/form-data') {
    const { field, file } = fileOf(entriesOf(c.get('formParts'), form ?? {}));
    const bytes = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
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

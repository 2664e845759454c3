// multipart/form-data read part by part from the request's body stream (RFC 7578) by the shared reader
// (models/node/multipart.ts): each file part is handed on as soon as its closing boundary has arrived, and the next
// part is read only when the consumer asks for it, so the request is never held whole — at most the parts being
// decoded plus one chunk. Limits: the whole body, the number of parts, and the size of a part's headers.
import { MultipartError, multipartBoundary, multipartParts } from '../../models/node/multipart.ts';
import { ApiError } from '../errors.ts';

export interface FilePart {
  /** The form field. */
  field: string;
  /** The part's filename ('' when it has none). */
  filename: string;
  bytes: Uint8Array;
}

export interface MultipartLimits {
  /** Most bytes in the whole body (413 too_large beyond). */
  maxBytes: number;
  /** Most parts (413 too_large beyond). */
  maxParts: number;
}

/** The boundary of a multipart/form-data Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  return multipartBoundary(contentType, 'form-data');
}

function parseHeaders(raw: string): { field: string; filename: string | null } {
  let field = '';
  let filename: string | null = null;
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const value = line.slice(colon + 1);
    field = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*name=([^;\s]+)/i.exec(value)?.[1] ?? '';
    const fn = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1] ?? /(?:^|;)\s*filename=([^;\s]+)/i.exec(value)?.[1];
    filename = fn === undefined ? null : fn;
  }
  return { field, filename };
}

/** A part of a form: its field, its filename (null for a text field) and its bytes. */
export interface FormPart {
  field: string;
  filename: string | null;
  bytes: Uint8Array;
}

/** The reader's refusal as the API's error; `what` names the request in the limit messages. */
function refusal(e: unknown, limits: MultipartLimits, what: { body: string; parts: string }): unknown {
  if (!(e instanceof MultipartError)) return e;
  if (e.code === 'too_large') return new ApiError(413, 'too_large', `The request body is over the ${limits.maxBytes}-byte limit${what.body}.`);
  if (e.code === 'too_many_parts') return new ApiError(413, 'too_large', `At most ${limits.maxParts} ${what.parts}.`);
  return new ApiError(400, 'invalid_request', e.message);
}

/**
 * Every part of a multipart/form-data body, text fields included, read whole (for small bodies: POST /detect).
 * Throws 413 too_large past the limits and 400 invalid_request for a malformed body.
 */
export async function formParts(body: ReadableStream<Uint8Array> | null, boundary: string, limits: MultipartLimits): Promise<FormPart[]> {
  const out: FormPart[] = [];
  try {
    for await (const part of multipartParts(body, boundary, limits)) out.push({ ...parseHeaders(part.headers), bytes: part.bytes });
  } catch (e) {
    throw refusal(e, limits, { body: '', parts: 'parts in one form' });
  }
  return out;
}

/**
 * The file parts of a multipart body, in order (text fields are read and dropped). Throws 413 too_large past the
 * limits and 400 invalid_request for a malformed body.
 */
export async function* fileParts(body: ReadableStream<Uint8Array> | null, boundary: string, limits: MultipartLimits): AsyncGenerator<FilePart> {
  try {
    for await (const part of multipartParts(body, boundary, limits)) {
      const { field, filename } = parseHeaders(part.headers);
      if (filename !== null) yield { field, filename, bytes: part.bytes };
    }
  } catch (e) {
    throw refusal(e, limits, { body: ' for a series', parts: 'files in one series request' });
  }
}

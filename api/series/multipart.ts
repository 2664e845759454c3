// multipart/form-data read part by part from the request's body stream (RFC 7578): each file part is handed on as
// soon as its closing boundary has arrived, and the next part is read only when the consumer asks for it, so the
// request is never held whole — at most the parts being decoded plus one chunk. Limits: the whole body, the number of
// parts, and the size of a part's headers.
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

const MAX_BOUNDARY_LINE = 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The boundary of a multipart/form-data Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]!) : null;
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

const malformed = (why: string) => new ApiError(400, 'invalid_request', `The multipart body is malformed: ${why}.`);

/**
 * The file parts of a multipart body, in order (text fields are read and dropped). Throws 413 too_large past the
 * limits and 400 invalid_request for a malformed body.
 */
export async function* fileParts(body: ReadableStream<Uint8Array> | null, boundary: string, limits: MultipartLimits): AsyncGenerator<FilePart> {
  if (!body) throw malformed('the body is empty');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const reader = body.getReader();
  let total = 0;
  let parts = 0;
  // Unscanned bytes; a virtual CRLF in front lets the first boundary match like the others.
  let pending: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';
  let bodyChunks: Buffer[] = [];
  let bodyBytes = 0;
  let current: { field: string; filename: string | null } | null = null;
  let ended = false;

  const pull = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) { ended = true; return false; }
    total += value.length;
    if (total > limits.maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ApiError(413, 'too_large', `The request body is over the ${limits.maxBytes}-byte limit for a series.`);
    }
    pending = pending.length ? Buffer.concat([pending, value]) : Buffer.from(value.buffer, value.byteOffset, value.length);
    return true;
  };

  try {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          // Keep a tail that may hold the start of the delimiter; the rest is body (or discarded preamble).
          const keep = Math.min(pending.length, delimiter.length - 1);
          if (state === 'body' && pending.length > keep) {
            bodyChunks.push(pending.subarray(0, pending.length - keep));
            bodyBytes += pending.length - keep;
          }
          pending = Buffer.from(pending.subarray(pending.length - keep));
          if (!(await pull())) throw malformed('it ends before the closing boundary');
          continue;
        }
        if (state === 'body') {
          bodyChunks.push(pending.subarray(0, at));
          bodyBytes += at;
          const bytes = new Uint8Array(bodyBytes);
          let o = 0;
          for (const c of bodyChunks) { bytes.set(c, o); o += c.length; }
          bodyChunks = [];
          bodyBytes = 0;
          pending = pending.subarray(at + delimiter.length);
          if (current && current.filename !== null) yield { field: current.field, filename: current.filename, bytes };
        } else {
          pending = pending.subarray(at + delimiter.length);
        }
        state = 'after-boundary';
        continue;
      }
      if (state === 'after-boundary') {
        while (pending.length < 2) if (!(await pull())) throw malformed('it ends after a boundary');
        if (pending[0] === 0x2d && pending[1] === 0x2d) { state = 'done'; break; }
        // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
        const eol = pending.indexOf(CRLF);
        if (eol < 0) {
          // Only transport padding may follow a boundary (RFC 2046 5.1.1): a long line is junk, refused before it grows.
          if (pending.length > MAX_BOUNDARY_LINE) throw malformed(`a boundary line is over ${MAX_BOUNDARY_LINE} bytes`);
          if (!(await pull())) throw malformed('a boundary line does not end');
          continue;
        }
        pending = pending.subarray(eol + 2);
        state = 'headers';
        continue;
      }
      if (state === 'headers') {
        // A part with no headers starts with the blank line at once.
        const at = pending.subarray(0, 2).equals(CRLF) ? -2 : pending.indexOf(HEADERS_END);
        if (at === -1) {
          if (pending.length > MAX_HEADER_BYTES) throw malformed(`a part's headers are over ${MAX_HEADER_BYTES} bytes`);
          if (!(await pull())) throw malformed('it ends in the headers of a part');
          continue;
        }
        const raw = at === -2 ? '' : pending.subarray(0, at).toString('utf8');
        pending = pending.subarray(at === -2 ? 2 : at + 4);
        if (++parts > limits.maxParts) throw new ApiError(413, 'too_large', `At most ${limits.maxParts} files in one series request.`);
        current = parseHeaders(raw);
        state = 'body';
        continue;
      }
      break;
    }
  } finally {
    // The epilogue (anything after the closing boundary) is not read; a consumer that stops early leaves the rest.
    reader.releaseLock();
  }
}

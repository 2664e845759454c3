// A multipart body (multipart/form-data, RFC 7578, or multipart/related, RFC 2387 — WADO-RS answers) read part by
// part from a byte stream: each part is handed on as soon as its closing boundary has arrived, and the next part is
// read only when the consumer asks for it, so the body is never held whole — at most the part being read plus one
// chunk. Limits: the whole body, the number of parts, the size of a part's headers and of a boundary line. Shared by
// POST /api/series (api/series/multipart.ts) and the CLI's DICOMweb pull (models/node/dicomweb-pull.ts).

export interface Part {
  /** The part's raw header block ('' when it has none). */
  headers: string;
  bytes: Uint8Array;
}

export interface PartLimits {
  /** Most bytes in the whole body. */
  maxBytes: number;
  /** Most parts. */
  maxParts: number;
}

/** Why a body was refused: over a limit, or not a whole multipart body (cut short, junk). */
export class MultipartError extends Error {
  constructor(readonly code: 'too_large' | 'too_many_parts' | 'malformed', readonly why: string) {
    super(code === 'malformed' ? `The multipart body is malformed: ${why}.` : why);
    this.name = 'MultipartError';
  }
}

const MAX_BOUNDARY_LINE = 1024;
const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The boundary parameter of a multipart Content-Type (`multipart/<subtype>` when given), or null. */
export function multipartBoundary(contentType: string | undefined, subtype = '[a-z-]+'): string | null {
  const m = new RegExp(`^multipart\\/${subtype}\\s*;(?:.*;)?\\s*boundary=(?:"([^"]{1,70})"|([^\\s;]{1,70}))`, 'i').exec(contentType ?? '');
  return m ? (m[1] ?? m[2]!) : null;
}

/** A header's value in a part's raw header block (the first one, trimmed), or undefined. */
export function partHeader(headers: string, name: string): string | undefined {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
  }
  return undefined;
}

const malformed = (why: string) => new MultipartError('malformed', why);

/**
 * The parts of a multipart body, in order, up to the closing boundary (the epilogue is not read). Throws
 * MultipartError past the limits or for a body that is not whole; a stream that errors (a connection cut) throws its
 * own error. Either way no part after the last complete one is handed on.
 */
export async function* multipartParts(body: ReadableStream<Uint8Array> | null, boundary: string, limits: PartLimits): AsyncGenerator<Part> {
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
  let headers = '';
  let ended = false;
  let finished = false;

  const pull = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) { ended = true; return false; }
    total += value.length;
    if (total > limits.maxBytes) throw new MultipartError('too_large', `The body is over the ${limits.maxBytes}-byte limit.`);
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
          yield { headers, bytes };
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
        headers = at === -2 ? '' : pending.subarray(0, at).toString('utf8');
        pending = pending.subarray(at === -2 ? 2 : at + 4);
        if (++parts > limits.maxParts) throw new MultipartError('too_many_parts', `At most ${limits.maxParts} parts.`);
        state = 'body';
        continue;
      }
      break;
    }
    finished = true;
  } finally {
    // The epilogue (anything after the closing boundary) is not read. A body left unfinished (a limit, a consumer
    // that stopped early, an error) is cancelled, so its connection is not left waiting.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

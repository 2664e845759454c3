// One request forwarded to the PACS: the allowed path under the configured root, the allowed query, Accept and
// Content-Type only (never the client's Cookie or Authorization; the configured credentials instead), the bodies
// streamed both ways (fetch with duplex: 'half'; nothing is buffered or written to disk). No answer headers within the
// timeout → 504, no connection → 502, a 5xx from the PACS → 502: all JSON {code: 'pacs_unavailable'}. Once the
// headers are passed on, a PACS silent for the timeout mid-answer (while the gateway waits for its next bytes) has its
// request aborted and the answer to the client broken off (headers already sent: the client sees a cut body).
import type { DicomwebConfig } from '../config.ts';
import { ApiError } from '../errors.ts';

/** Response headers passed back to the client. */
// Not Content-Location: it names the PACS's own address, which the browser has no use for.
const ANSWER_HEADERS = ['content-type', 'content-length', 'warning'];

export interface ForwardRequest {
  method: 'GET' | 'POST';
  /** Path below the root, already allowed (api/dicomweb/paths.ts). */
  path: string;
  /** '' or '?…', already filtered. */
  query: string;
  accept: string | undefined;
  contentType: string | undefined;
  body: ReadableStream<Uint8Array> | null;
  /** The client's request signal: a client that goes away cancels the PACS request. */
  signal: AbortSignal;
}

export function upstreamUrl(config: DicomwebConfig, path: string, query: string): URL {
  const url = new URL(`${config.url.href.replace(/\/+$/, '')}/${path}${query}`);
  // Belt and braces: the allow-list already guarantees both.
  if (url.origin !== config.url.origin || !url.pathname.startsWith(`${config.url.pathname.replace(/\/+$/, '')}/`)) {
    throw new ApiError(400, 'invalid_request', 'Not a DICOMweb path.');
  }
  return url;
}

const unavailable = (status: 502 | 504, why: string) =>
  new ApiError(status, 'pacs_unavailable', `The PACS ${why}; try again shortly.`);

/** A counting pass-through: errors the stream once more than `max` bytes went by. */
export function limitStream(max: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) controller.error(new ApiError(413, 'too_large', `The request body is over the ${max}-byte limit.`));
      else controller.enqueue(chunk);
    },
  });
}

export async function forward(config: DicomwebConfig, req: ForwardRequest): Promise<Response> {
  const headers = new Headers({ 'accept-encoding': 'identity' });
  if (req.accept) headers.set('accept', req.accept);
  if (req.method === 'POST' && req.contentType) headers.set('content-type', req.contentType);
  if (config.authorization) headers.set('authorization', config.authorization);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), config.timeoutMs);
  let res: Response;
  try {
    res = await fetch(upstreamUrl(config, req.path, req.query), {
      method: req.method,
      headers,
      body: req.method === 'POST' ? req.body : null,
      redirect: 'manual',
      signal: AbortSignal.any([timeout.signal, req.signal]),
      ...(req.method === 'POST' ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof ApiError) throw cause; // the body limit tripped while streaming
    if (timeout.signal.aborted) throw unavailable(504, `did not answer within ${config.timeoutMs} ms`);
    throw unavailable(502, 'is unreachable');
  } finally {
    clearTimeout(timer);
  }
  if (res.status >= 500 || (res.status >= 300 && res.status < 400)) {
    await res.body?.cancel();
    throw unavailable(502, `answered ${res.status}`);
  }
  if (res.status === 401 || res.status === 403) {
    // The PACS refusing the gateway's own credentials: the user's session is fine (it was checked before), so a 401
    // passed on would wrongly send them to sign in again.
    await res.body?.cancel();
    throw new ApiError(502, 'pacs_refused', `The PACS refused the server's credentials (${res.status}): check DICOMWEB_USER / DICOMWEB_PASSWORD or DICOMWEB_TOKEN.`);
  }
  const out = new Headers();
  for (const name of ANSWER_HEADERS) {
    const v = res.headers.get(name);
    if (v !== null && !(name === 'content-length' && res.headers.has('content-encoding'))) out.set(name, v);
  }
  // A multipart answer must end with its closing boundary: some archives (Orthanc) end a streamed answer by closing
  // the connection, so an archive stopped mid-series looks like a clean end to fetch. Cut short, the answer to the
  // client is broken off too (never a shorter series that parses).
  const boundary = /^multipart\/related\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(res.headers.get('content-type') ?? '');
  // The answer's body: every wait for the PACS's next bytes bounded by the timeout (see silenceLimit).
  const guarded = res.body && silenceLimit(res.body, config.timeoutMs, () => timeout.abort());
  const body = boundary && guarded ? guarded.pipeThrough(wholeMultipart(boundary[1] ?? boundary[2]!)) : guarded;
  return new Response(body, { status: res.status, headers: out });
}

/**
 * The PACS's answer body, read only as the client reads (so a slow client is never taken for a silent PACS), each
 * wait for the next chunk bounded by `ms`: past it `onSilence` (which aborts the upstream request) and the stream
 * errors. The timer runs only while a read from the PACS is pending, and starts again for each chunk.
 */
export function silenceLimit(body: ReadableStream<Uint8Array>, ms: number, onSilence: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let silent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const timer = setTimeout(() => {
        silent = true;
        controller.error(unavailable(504, `went silent for ${ms} ms in the middle of its answer`));
        onSilence();
        reader.cancel().catch(() => {});
      }, ms);
      try {
        const { value, done } = await reader.read();
        if (silent) return;
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        if (!silent) controller.error(err);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A pass-through that errors at the end when the last bytes are not a multipart body's closing boundary. */
export function wholeMultipart(boundary: string): TransformStream<Uint8Array, Uint8Array> {
  const closing = Buffer.from(`--${boundary}--`);
  // The closing delimiter may be followed by CRLF and a short epilogue: keep a tail long enough to find it.
  const keep = closing.length + 256;
  let tail = Buffer.alloc(0);
  return new TransformStream({
    transform(chunk, controller) {
      const c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      tail = c.length >= keep ? Buffer.from(c.subarray(c.length - keep)) : Buffer.concat([tail, c]).subarray(-keep);
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (tail.indexOf(closing) < 0) controller.error(unavailable(502, 'stopped before the end of its answer'));
    },
  });
}

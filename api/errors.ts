// Every error the API answers is JSON {error, code}: a sentence for people, a stable code for programs.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { isDatabaseDown } from './db/types.ts';

export interface ErrorBody {
  error: string;
  code: string;
}

/** Thrown anywhere in a handler; the app's error handler turns it into the JSON answer. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: message, code } satisfies ErrorBody, status);
}

/** app.onError: known errors keep their status; anything else is a logged 500 that says nothing internal. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return errorResponse(c, err.status, err.code, err.message);
  }
  if (err instanceof HTTPException) {
    if (err.status === 415) {
      // @hono/zod-openapi's media-type gate: JSON routes answer 400, upload routes 415.
      return /\/detect$/.test(c.req.path)
        ? errorResponse(c, 415, 'unsupported_type', 'Send the image as multipart/form-data (one file, e.g. in the field "File"), or as a raw image/* body.')
        : errorResponse(c, 400, 'invalid_request', 'The body must be JSON (Content-Type: application/json).');
    }
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'too_large' : status === 400 ? 'invalid_request' : `http_${status}`;
    return errorResponse(c, status, code, err.message || 'Bad request.');
  }
  if (isClientAbort(err)) {
    // The client cut the request off (or sent a body the HTTP parser refused): nobody is left to answer.
    return errorResponse(c, 400, 'request_aborted', 'The request was cut off before its body arrived.');
  }
  if (isDatabaseDown(err)) {
    console.error(`[api] database unavailable: ${err.message}`);
    return errorResponse(c, 503, 'database_unavailable', 'The database is unreachable; try again shortly.');
  }
  console.error(`[api] ${c.req.method} ${c.req.path} failed:`, err);
  return errorResponse(c, 500, 'internal_error', 'Something went wrong on the server.');
}

/** Node's error when the request stream ends early: `aborted` with code ECONNRESET, not a database error. */
const isClientAbort = (err: Error): boolean => err.message === 'aborted' && (err as { code?: unknown }).code === 'ECONNRESET';

export function handleNotFound(c: Context): Response {
  return errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`);
}

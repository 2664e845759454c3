// Cross-site request protection for cookie-authenticated writes: a browser sends the cookie with requests
// that other sites trigger, so a write authenticated by the cookie must come from the app's own origin.
// Header tokens (auth-token, Bearer) are not sent automatically by browsers and need no check.
import type { Context } from 'hono';
import { ApiError } from '../errors.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The origins this request may come from: its own URL's, and the forwarded protocol's behind a TLS proxy. */
function ownOrigins(c: Context): string[] {
  const url = new URL(c.req.url);
  const host = c.req.header('host') ?? url.host;
  const protocols = new Set([url.protocol.replace(':', '')]);
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  if (forwarded === 'http' || forwarded === 'https') protocols.add(forwarded);
  return [...protocols].map((p) => `${p}://${host}`.toLowerCase());
}

export function isSameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site === 'same-origin') return true;
  const origin = c.req.header('origin')?.toLowerCase();
  return !!origin && origin !== 'null' && ownOrigins(c).includes(origin);
}

/** 403 cross_site unless a cookie-authenticated write comes from the same origin. */
export function assertSameOriginWrite(c: Context): void {
  if (!WRITES.has(c.req.method) || isSameOrigin(c)) return;
  throw new ApiError(403, 'cross_site',
    'A request authenticated by the session cookie must come from this site (Origin or Sec-Fetch-Site: same-origin); other clients send the token in the auth-token header.');
}

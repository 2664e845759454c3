// The client's address, for per-address limits: the socket's peer, or (TRUST_PROXY=true, behind a proxy
// you control) the first X-Forwarded-For entry. Without a socket (app.request in tests) it is 'unknown'.
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 100);
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

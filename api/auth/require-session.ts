// Middleware: the caller's session from the `auth-token` header (original contract), a Bearer token,
// or the session cookie, in that order. No valid session → 401. A write authenticated by the cookie must
// come from the same origin (same-origin.ts) → else 403 cross_site.
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../env.ts';
import { readSessionCookie } from './cookie.ts';
import { assertSameOriginWrite } from './same-origin.ts';

export interface Credential {
  token: string;
  via: 'header' | 'cookie';
}

export function tokenOf(header: (name: string) => string | undefined, cookie: string | undefined): Credential | undefined {
  const direct = header('auth-token')?.trim();
  if (direct) return { token: direct, via: 'header' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '');
  if (bearer) return { token: bearer[1]!, via: 'header' };
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}

export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const credential = tokenOf((n) => c.req.header(n), readSessionCookie(c));
  if (!credential) throw new ApiError(401, 'unauthorized', 'Sign in first: send the token in the auth-token header, as a Bearer token, or as the session cookie.');
  if (credential.via === 'cookie') assertSameOriginWrite(c);
  const found = await c.var.deps.sessions.validate(credential.token);
  if (!found) throw new ApiError(401, 'invalid_token', 'The token is invalid, expired or revoked: sign in again.');
  c.set('user', found.user);
  c.set('session', found.session);
  await next();
});

// Middleware: the caller's session from the `auth-token` header (original contract), a Bearer token,
// or the session cookie, in that order. No valid session → 401.
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../errors.ts';
import type { AppEnv } from '../env.ts';
import { readSessionCookie } from './cookie.ts';

export function tokenOf(header: (name: string) => string | undefined, cookie: string | undefined): string | undefined {
  const direct = header('auth-token')?.trim();
  if (direct) return direct;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header('authorization') ?? '');
  if (bearer) return bearer[1];
  return cookie || undefined;
}

export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  const token = tokenOf((n) => c.req.header(n), readSessionCookie(c));
  if (!token) throw new ApiError(401, 'unauthorized', 'Sign in first: send the token in the auth-token header, as a Bearer token, or as the session cookie.');
  const found = await c.var.deps.sessions.validate(token);
  if (!found) throw new ApiError(401, 'invalid_token', 'The token is invalid, expired or revoked: sign in again.');
  c.set('user', found.user);
  c.set('session', found.session);
  await next();
});

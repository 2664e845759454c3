// The session as a cookie for browsers: httpOnly, SameSite=Lax, Secure when the request came over HTTPS.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'bigbrain_session';

/** The request came over HTTPS: its own URL, or the first X-Forwarded-Proto entry behind a TLS proxy. */
export const isHttps = (c: Context): boolean =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';

export function setSessionCookie(c: Context, token: string, expiresAt: Date, secure: 'auto' | boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure === 'auto' ? isHttps(c) : secure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

export const readSessionCookie = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);

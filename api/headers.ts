// Headers on every response: cross-origin isolation (COOP/COEP, needed for WASM threads in the PWA), CORP so
// the isolated page may load the app's own files, a CSP that allows only the app's own scripts (plus
// WebAssembly compilation), no MIME sniffing, no Referer, and HSTS when the request came over HTTPS.
import { createMiddleware } from 'hono/factory';
import { isHttps } from './auth/cookie.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const HSTS = 'max-age=31536000; includeSubDomains';

export const securityHeaders = createMiddleware(async (c, next) => {
  await next();
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Embedder-Policy', 'require-corp');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  if (isHttps(c)) c.header('Strict-Transport-Security', HSTS);
});

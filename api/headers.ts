// Headers on every response: cross-origin isolation (COOP/COEP, needed for WASM threads in the PWA)
// and CORP so the isolated page may load the app's own files.
import { createMiddleware } from 'hono/factory';

export const isolationHeaders = createMiddleware(async (c, next) => {
  await next();
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Embedder-Policy', 'require-corp');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('X-Content-Type-Options', 'nosniff');
});

// Static files: the built PWA (dist/), then public/ (the model files, when dist/ is not built yet).
// Browsers asking for HTML on any other GET get dist/index.html (single-page app).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';

const EXTRA_TYPES: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.mjs': 'text/javascript; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const contentTypeOf = (path: string): string =>
  EXTRA_TYPES[extname(path).toLowerCase()] ?? getMimeType(path) ?? 'application/octet-stream';

/** The file under one of the roots that the URL path names; null when none (or when it escapes its root). */
export function findStaticFile(roots: string[], urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  for (const root of roots) {
    const base = resolve(root);
    const file = resolve(join(base, rel));
    if (!file.startsWith(base + sep)) continue;
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

function sendFile(c: Context, file: string): Response {
  const { size } = statSync(file);
  const immutable = /[\\/]assets[\\/]/.test(file);
  const headers = {
    'content-type': contentTypeOf(file),
    'content-length': String(size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (c.req.method === 'HEAD') return new Response(null, { headers });
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, { headers });
}

const wantsHtml = (c: Context): boolean => (c.req.header('accept') ?? '').includes('text/html');

/** GET/HEAD only; API paths and JSON clients fall through to the routes. */
export function serveStatic({ distDir, publicDir }: { distDir: string; publicDir: string }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const path = c.req.path;
    const index = join(distDir, 'index.html');
    if (path === '/' || path === '/index.html') {
      if (wantsHtml(c) && existsSync(index)) return sendFile(c, index);
      return next();
    }
    if (path.startsWith('/api/')) return next();
    const file = findStaticFile([distDir, publicDir], path);
    if (file) return sendFile(c, file);
    await next();
    if (c.res.status === 404 && wantsHtml(c) && !extname(path) && existsSync(index)) c.res = sendFile(c, index);
  };
}

// Static files: the built PWA (dist/web/), then public/ (the model files, when the PWA is not built yet).
// Browsers asking for HTML on any other GET get dist/web/index.html (single-page app).
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';
import { COMPRESSIBLE, PRECOMPRESSED } from './precompress.ts';

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

const gzipAsync = promisify(gzip);
const gzipped = new Map<string, { mtimeMs: number; body: Promise<Buffer> }>();

/** The file gzipped once per version (the ORT runtime is 14–28 MB raw, a quarter of that gzipped). */
function gzippedFile(file: string, mtimeMs: number): Promise<Buffer> {
  const hit = gzipped.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.body;
  const body = gzipAsync(readFileSync(file), { level: constants.Z_BEST_COMPRESSION });
  gzipped.set(file, { mtimeMs, body });
  return body;
}

/** Whether an Accept-Encoding header allows `coding`: its own entry decides, else `*`; q=0 refuses. */
export function acceptsEncoding(header: string, coding: string): boolean {
  const entries = header.toLowerCase().split(',').map((part) => {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { name, allowed: !q || Number(q.slice(2)) > 0 };
  });
  const entry = entries.find((e) => e.name === coding) ?? entries.find((e) => e.name === '*');
  return entry?.allowed ?? false;
}

const ENCODING_OF = { '.br': 'br', '.gz': 'gzip' } as const;
type Encoded = { encoding: string; length: number; body: () => BodyInit };
const streamOf = (path: string, range?: { start: number; end: number }) =>
  Readable.toWeb(createReadStream(path, range)) as ReadableStream;

/**
 * The bytes to send compressed, if any: the build's file.br or file.gz (brotli first) when newer than
 * the file; otherwise, for a compressible file, gzip made once per process and version.
 */
async function encodedVariant(file: string, mtimeMs: number, accept: string): Promise<Encoded | null> {
  if (!COMPRESSIBLE.test(file)) return null;
  for (const ext of PRECOMPRESSED) {
    const encoding = ENCODING_OF[ext];
    if (!acceptsEncoding(accept, encoding)) continue;
    try {
      const built = statSync(file + ext);
      if (built.mtimeMs >= mtimeMs) return { encoding, length: built.size, body: () => streamOf(file + ext) };
    } catch {
      // not built beside it
    }
  }
  if (!acceptsEncoding(accept, 'gzip')) return null;
  const gz = await gzippedFile(file, mtimeMs);
  return { encoding: 'gzip', length: gz.length, body: () => new Uint8Array(gz) };
}

/**
 * A single `bytes=` range of a file of `size` bytes: [start, end] inclusive; 'unsatisfiable'; or
 * null to ignore the header (malformed, or several ranges) and send the whole file.
 */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    // bytes=-N: the last N bytes
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  return start >= size ? 'unsatisfiable' : { start, end };
}

async function sendFile(c: Context, file: string): Promise<Response> {
  const { size, mtimeMs } = statSync(file);
  const immutable = /[\\/]assets[\\/]/.test(file);
  const headers: Record<string, string> = {
    'content-type': contentTypeOf(file),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
  };
  // A resumed download (Range) gets the identity bytes, never gzip: offsets count file bytes.
  const range = c.req.method === 'GET' && c.req.header('range') ? parseRange(c.req.header('range')!, size) : null;
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes */${size}` } });
  }
  if (range) {
    Object.assign(headers, {
      'accept-ranges': 'bytes',
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
      'content-length': String(range.end - range.start + 1),
    });
    return new Response(streamOf(file, range), { status: 206, headers });
  }
  const encoded = await encodedVariant(file, mtimeMs, c.req.header('accept-encoding') ?? '');
  if (encoded) {
    Object.assign(headers, { 'content-encoding': encoded.encoding, 'content-length': String(encoded.length) });
    return new Response(c.req.method === 'HEAD' ? null : encoded.body(), { headers });
  }
  headers['content-length'] = String(size);
  headers['accept-ranges'] = 'bytes';
  if (c.req.method === 'HEAD') return new Response(null, { headers });
  return new Response(streamOf(file), { headers });
}

const wantsHtml = (c: Context): boolean => (c.req.header('accept') ?? '').includes('text/html');

/** GET/HEAD only; API paths and JSON clients fall through to the routes. */
export function serveStatic({ distDir, publicDir }: { distDir: string; publicDir: string }): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const path = c.req.path;
    const index = join(distDir, 'index.html');
    // The service worker precaches /index.html without asking for HTML; `/` keeps JSON for API clients.
    if (path === '/index.html' && existsSync(index)) return sendFile(c, index);
    if (path === '/') {
      if (wantsHtml(c) && existsSync(index)) return sendFile(c, index);
      return next();
    }
    if (path.startsWith('/api/')) return next();
    const file = findStaticFile([distDir, publicDir], path);
    if (file) return sendFile(c, file);
    await next();
    if (c.res.status === 404 && wantsHtml(c) && !extname(path) && existsSync(index)) c.res = await sendFile(c, index);
  };
}

// Build-time compression (api/precompress.ts) and how static.ts picks what it sends: file.br, else file.gz,
// else gzip made on the fly; never a stale variant; Range always gets the identity bytes.
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../../api/precompress.ts';
import { acceptsEncoding, serveStatic } from '../../api/static.ts';

const root = mkdtempSync(join(tmpdir(), 'bigbrain-precompress-'));
const dist = join(root, 'dist');
const cacheDir = join(root, 'cache');
// Compressible but not trivially: words drawn from a small vocabulary.
const words = ['tensor', 'session', 'wasm', 'glioma', 'kernel', 'buffer', 'float32', 'module'];
const runtime = Buffer.from(Array.from({ length: 40_000 }, (_, i) => words[(i * 7919) % words.length]).join(' '));
const small = Buffer.from('tiny');
const image = Buffer.alloc(4096, 7);
const app = new Hono().use('*', serveStatic({ distDir: dist, publicDir: join(root, 'none') }));
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers });
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

beforeAll(async () => {
  mkdirSync(join(dist, 'ort'), { recursive: true });
  writeFileSync(join(dist, 'ort', 'runtime.mjs'), runtime);
  writeFileSync(join(dist, 'small.js'), small);
  writeFileSync(join(dist, 'icon.png'), image);
  expect(await precompressDir(dist, cacheDir)).toBe(1);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('precompressDir', () => {
  it('writes .br and .gz beside compressible files of 1 KiB or more, and only those', () => {
    expect(readdirSync(join(dist, 'ort')).sort()).toEqual(['runtime.mjs', 'runtime.mjs.br', 'runtime.mjs.gz']);
    expect(readdirSync(dist).sort()).toEqual(['icon.png', 'ort', 'small.js']);
    const br = readFileSync(join(dist, 'ort', 'runtime.mjs.br'));
    expect(brotliDecompressSync(br)).toEqual(runtime);
    expect(gunzipSync(readFileSync(join(dist, 'ort', 'runtime.mjs.gz')))).toEqual(runtime);
    expect(br.length).toBeLessThan(runtime.length / 4);
  });

  it('reuses its outputs on the next build (by content hash)', async () => {
    const cached = readdirSync(cacheDir).sort();
    expect(cached).toHaveLength(2);
    rmSync(join(dist, 'ort', 'runtime.mjs.br'));
    // A changed cache entry would be copied as is: proof the second build did not compress again.
    const brEntry = cached.find((f) => f.endsWith('.br'))!;
    writeFileSync(join(cacheDir, brEntry), Buffer.from('from the cache'));
    await precompressDir(dist, cacheDir);
    expect(readFileSync(join(dist, 'ort', 'runtime.mjs.br'), 'utf8')).toBe('from the cache');
    expect(readdirSync(cacheDir).sort()).toEqual(cached);
    rmSync(cacheDir, { recursive: true });
    await precompressDir(dist, cacheDir);
    expect(brotliDecompressSync(readFileSync(join(dist, 'ort', 'runtime.mjs.br')))).toEqual(runtime);
  });
});

describe('static files: precompressed variants', () => {
  it('reads Accept-Encoding with q-values', () => {
    expect(acceptsEncoding('gzip, deflate, br, zstd', 'br')).toBe(true);
    expect(acceptsEncoding('gzip, br;q=0', 'br')).toBe(false);
    expect(acceptsEncoding('GZIP;q=0.5', 'gzip')).toBe(true);
    expect(acceptsEncoding('*', 'br')).toBe(true);
    expect(acceptsEncoding('*;q=0, gzip', 'gzip')).toBe(true);
    expect(acceptsEncoding('br, *;q=0', 'gzip')).toBe(false);
    expect(acceptsEncoding('identity', 'gzip')).toBe(false);
    expect(acceptsEncoding('', 'gzip')).toBe(false);
  });

  it('sends the build\'s brotli file to a browser, its gzip file to a gzip-only client, identity otherwise', async () => {
    const br = await get('/ort/runtime.mjs', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('accept-encoding');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    const brBody = await bytes(br);
    expect(brBody).toEqual(new Uint8Array(readFileSync(join(dist, 'ort', 'runtime.mjs.br'))));
    expect(br.headers.get('content-length')).toBe(String(brBody.length));
    expect(brotliDecompressSync(brBody)).toEqual(runtime);

    for (const accept of ['gzip', 'gzip, br;q=0']) {
      const gz = await get('/ort/runtime.mjs', { 'accept-encoding': accept });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      expect(await bytes(gz)).toEqual(new Uint8Array(readFileSync(join(dist, 'ort', 'runtime.mjs.gz'))));
    }

    const plain = await get('/ort/runtime.mjs');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await bytes(plain)).toEqual(new Uint8Array(runtime));

    const head = await app.request('/ort/runtime.mjs', { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(head.headers.get('content-length')).toBe(String(brBody.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('never sends a variant older than its file: the file changed after the build gets gzip made from it', async () => {
    const changed = Buffer.concat([runtime, Buffer.from(' changed after the build')]);
    const path = join(dist, 'ort', 'runtime.mjs');
    writeFileSync(path, changed);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const res = await get('/ort/runtime.mjs', { 'accept-encoding': 'gzip, br' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(await bytes(res))).toEqual(changed);
    writeFileSync(path, runtime);
  });

  it('answers a Range request with identity bytes, whatever variants exist', async () => {
    const res = await get('/ort/runtime.mjs', { range: 'bytes=100-199', 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await bytes(res)).toEqual(new Uint8Array(runtime.subarray(100, 200)));
  });

  it('leaves images alone', async () => {
    const res = await get('/icon.png', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await bytes(res)).toEqual(new Uint8Array(image));
  });
});

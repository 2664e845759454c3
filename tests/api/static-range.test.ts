// Range requests on static files (a PWA resuming an interrupted model download): 206 with the
// identity bytes even when the client accepts gzip; 416 past the end; no Range → unchanged.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRange, serveStatic } from '../../api/static.ts';

const dist = mkdtempSync(join(tmpdir(), 'bigbrain-range-'));
mkdirSync(join(dist, 'models'));
const model = new Uint8Array(5000).map((_, i) => (i * 7) % 251);
writeFileSync(join(dist, 'models', 'm.onnx'), model);
const app = new Hono().use('*', serveStatic({ distDir: dist, publicDir: join(dist, 'none') }));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

describe('static files: Range', () => {
  it('parses single ranges and ignores the rest', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 1000)).toBeNull();
    expect(parseRange('items=0-1', 1000)).toBeNull();
    expect(parseRange('bytes=50-10', 1000)).toBeNull();
  });

  it('answers 206 with the identity bytes, even to a client that accepts gzip', async () => {
    const res = await app.request('/models/m.onnx', { headers: { range: 'bytes=1234-', 'accept-encoding': 'gzip, deflate' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('content-range')).toBe('bytes 1234-4999/5000');
    expect(res.headers.get('content-length')).toBe('3766');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(model.slice(1234));
  });

  it('answers 416 past the end, and keeps whole-file answers (gzip or not) as before', async () => {
    const past = await app.request('/models/m.onnx', { headers: { range: 'bytes=5000-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */5000');
    const plain = await app.request('/models/m.onnx');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('accept-ranges')).toBe('bytes');
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(model);
    const gz = await app.request('/models/m.onnx', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(new Uint8Array(gunzipSync(new Uint8Array(await gz.arrayBuffer())))).toEqual(model);
  });
});

// POST /api/series over real HTTP on the real server (api/server.ts, detect worker thread, PGlite): the body is read
// part by part from the socket — a streamed 80 MiB series request raises the server's resident memory by far less
// than its size, a body over SERIES_BODY_LIMIT_BYTES is answered 413 before it has been sent whole, and the 1 MiB
// request limit of the other routes does not apply to it. Generated pixels: no data folder needed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFile } from '../../models/scripts/dicom-write.ts';
import { startServer, type Spawned } from '../support/spawn-server.ts';

const LIMIT = 96 * 1024 * 1024;
let server: Spawned;
let dataDir: string;
let token: string;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bigbrain-series-http-'));
  server = await startServer({ BIGBRAIN_DATA_DIR: dataDir, SERIES_BODY_LIMIT_BYTES: String(LIMIT), BODY_LIMIT_BYTES: String(1024 * 1024), DETECT_WORKERS: '1', DETECT_PER_USER: '0' });
  const res = await fetch(`${server.url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `series${Date.now()}@example.com`, password: 'correct horse battery' }) });
  ({ accessToken: token } = await res.json() as { accessToken: string });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a multipart body made of `parts` (pulled one by one), chunked, no Content-Length; stops when answered. */
function send(boundary: string, parts: () => Uint8Array | null): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(`${server.url}/api/series`, { method: 'POST', headers: { 'auth-token': token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => { resolve({ status: res.statusCode!, body, sent }); req.destroy(); });
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    const pump = () => {
      for (;;) {
        if (answered) return;
        const p = parts();
        if (!p) return void req.end(`--${boundary}--\r\n`);
        sent += p.length;
        if (!req.write(p)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

const part = (boundary: string, name: string, bytes: Uint8Array) =>
  Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n\r\n`), bytes, Buffer.from('\r\n')]);

describe('POST /api/series over HTTP', () => {
  it('reads a 12-slice 16-bit series (1.5 MB, over the 1 MiB request limit of other routes) through the detect worker', async () => {
    const boundary = 'b0undary';
    const files = Array.from({ length: 12 }, (_, i) => imageFile({
      rows: 256, columns: 256, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
      pixels: Uint16Array.from({ length: 256 * 256 }, (_, k) => {
        const x = (k % 256) / 256 - 0.5, y = Math.floor(k / 256) / 256 - 0.5;
        return x * x + y * y < 0.16 ? 1500 + Math.round(900 * Math.sin((k + i * 97) / 9)) : 0;
      }),
      identity: { studyUid: '2.25.61', seriesUid: '2.25.61.1', sopInstanceUid: `2.25.61.1.${i + 1}`, seriesDescription: 'T1 AX' },
      geometry: { seriesNumber: 1, instanceNumber: 12 - i, imagePosition: [0, 0, i * 5], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.9, 0.9] },
      timing: { repetitionTime: 500, echoTime: 10 },
    }));
    let i = 0;
    const r = await send(boundary, () => (i < files.length ? part(boundary, `IM${i}`, files[i++]!) : null));
    expect(r.status, r.body).toBe(200);
    const body = JSON.parse(r.body) as { series: Array<{ slices: number; seriesInstanceUID: string; orientation: string }>; files: number };
    expect(r.sent).toBeGreaterThan(1024 * 1024);
    expect(body.files).toBe(12);
    expect(body.series).toHaveLength(1);
    expect(body.series[0]).toMatchObject({ seriesInstanceUID: '2.25.61.1', slices: 12, orientation: 'axial' });
  }, 60_000);

  it('never holds the request whole: an 80 MiB request raises the server’s resident memory by much less', async () => {
    const boundary = 'junkboundary';
    const junk = new Uint8Array(1024 * 1024).fill(0x41); // not DICOM: skipped at once
    const pid = server.child.pid!;
    const before = rssMb(pid);
    // The server's resident memory, sampled while the request streams in.
    let most = before;
    const sampler = setInterval(() => { most = Math.max(most, rssMb(pid)); }, 10);
    let n = 0;
    const r = await send(boundary, () => (n < 80 ? part(boundary, `J${n++}`, junk) : null)).finally(() => clearInterval(sampler));
    expect(r.status, r.body).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ files: 80, skipped: { 'not DICOM': 80 }, series: [] });
    const grew = most - before;
    console.log(`[series] 80 MiB streamed series request: server resident memory at most +${grew.toFixed(1)} MiB (from ${before.toFixed(0)} MiB)`);
    expect(grew).toBeLessThan(40);
  }, 60_000);

  it('answers 413 to a body over SERIES_BODY_LIMIT_BYTES before it has been sent whole, and stays up', async () => {
    const boundary = 'bigboundary';
    const junk = new Uint8Array(1024 * 1024).fill(0x42);
    let n = 0;
    const r = await send(boundary, () => (n < 512 ? part(boundary, `J${n++}`, junk) : null));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'too_large' });
    console.log(`[series] 413 after ${(r.sent / 2 ** 20).toFixed(0)} MiB of a 512 MiB body (limit ${LIMIT / 2 ** 20} MiB)`);
    expect(r.sent).toBeLessThan(256 * 1024 * 1024);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);
});

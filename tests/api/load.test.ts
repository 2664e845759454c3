// Issue 6, load: the real server (api/server.ts, real model, PGlite) takes a fixed number of mixed
// /authorization and /detect requests at concurrency 32 over loopback (autocannon), rate limits raised by
// configuration: zero 5xx, zero errors or dropped connections, every response well-formed JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type RawRequest } from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greyPng, jpegClaiming, pngClaiming, realImages, truncatedJpeg } from './images.ts';
import { startServer, type Spawned } from '../support/spawn-server.ts';

const TOTAL = Number(process.env.LOAD_REQUESTS ?? 2000);
const CONNECTIONS = 32;
const USERS = 8;
const PASSWORD = 'correct horse battery';

const dataDir = mkdtempSync(join(tmpdir(), 'bigbrain-load-'));
let server: Spawned;

beforeAll(async () => {
  server = await startServer({
    BIGBRAIN_DATA_DIR: dataDir, BIGBRAIN_DIST_DIR: join(dataDir, 'no-dist'),
    DETECT_PER_USER: '0', LOGIN_FAILS_PER_EMAIL_IP: '0', LOGIN_FAILS_PER_EMAIL: '0', LOGIN_FAILS_PER_IP: '0',
  });
}, 60_000);
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('load', () => {
  it(`holds ${TOTAL} mixed /authorization + /detect requests at concurrency ${CONNECTIONS}`, async () => {
    const tokens: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const res = await fetch(`${server.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `load${i}@example.com`, password: PASSWORD }) });
      tokens.push(((await res.json()) as { accessToken: string }).accessToken);
    }
    const [real] = realImages(1);
    const image = real ? readFileSync(real.path) : (await greyPng(128, 128)).data;
    const boundary = 'bigbrainLoadBoundary';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);

    let n = 0;
    const byRoute = { authorization: new Map<number, number>(), detect: new Map<number, number>() };
    let malformed = 0;
    const result = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      amount: TOTAL,
      timeout: 30,
      requests: [{
        setupRequest(req, ctx): RawRequest {
          const i = n++;
          const user = i % USERS;
          if (i % 4 === 0) {
            ctx.route = 'authorization';
            return { ...req, method: 'POST', path: '/authorization', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `load${user}@example.com`, password: PASSWORD }) };
          }
          ctx.route = 'detect';
          return { ...req, method: 'POST', path: '/detect', headers: { 'auth-token': tokens[user]!, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipart };
        },
        onResponse(status, body, ctx) {
          const route = ctx.route as 'authorization' | 'detect';
          byRoute[route].set(status, (byRoute[route].get(status) ?? 0) + 1);
          try {
            const json = JSON.parse(body) as Record<string, unknown>;
            const ok = status >= 400 ? typeof json.code === 'string' && typeof json.error === 'string'
              : route === 'authorization' ? typeof json.accessToken === 'string' : typeof json.result === 'string' && typeof json.label === 'string';
            if (!ok) malformed++;
          } catch {
            malformed++;
          }
        },
      }],
    });
    const fmt = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b).map(([s, k]) => `${s}×${k}`).join(', ');
    const answered = Object.values(result.statusCodeStats).reduce((a, s) => a + s.count, 0);
    console.log([
      `[load] ${answered}/${TOTAL} answered in ${result.duration.toFixed(1)} s at concurrency ${CONNECTIONS} (${Math.round(answered / result.duration)} req/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms)`,
      `  /authorization: ${fmt(byRoute.authorization)}; /detect (${real ? 'a real MRI' : 'a synthetic image'}): ${fmt(byRoute.detect)}`,
      `  5xx: ${result['5xx']}; errors: ${result.errors}; timeouts: ${result.timeouts}; not well-formed JSON: ${malformed}`,
    ].join('\n'));
    expect(answered).toBe(TOTAL);
    expect(result['5xx']).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(malformed).toBe(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    // The real server decodes in its worker pool: bad images must still come back as JSON 4xx from there.
    const bad: Array<[string, Uint8Array]> = [
      ['truncated JPEG', (await truncatedJpeg()).data],
      ['PNG claiming 60000×60000', await pngClaiming(60_000, 60_000)],
      ['JPEG claiming 60000×60000', await jpegClaiming(60_000, 60_000)],
      ['text', new TextEncoder().encode('not an image')],
      ['JPEG magic + zeros', Uint8Array.from([0xff, 0xd8, 0xff, ...new Uint8Array(500)])],
      ['half an MRI', new Uint8Array(image.subarray(0, Math.floor(image.length / 2)))],
    ];
    const answers = await Promise.all(bad.map(async ([name, bytes]) => {
      const res = await fetch(`${server.url}/detect`, { method: 'POST', headers: { 'auth-token': tokens[0]!, 'content-type': 'image/jpeg' }, body: bytes as Uint8Array<ArrayBuffer> });
      return { name, status: res.status, body: (await res.json()) as { code?: string } };
    }));
    console.log(`[bad input] through the server's decode workers: ${answers.map((a) => `${a.name} → ${a.status} ${a.body.code}`).join('; ')}`);
    for (const a of answers) {
      expect(a.status, a.name).toBeGreaterThanOrEqual(400);
      expect(a.status, a.name).toBeLessThan(500);
    }
  }, 180_000);
});

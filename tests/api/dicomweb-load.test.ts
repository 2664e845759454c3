// The DICOMweb gateway on the real server (@hono/node-server on loopback) in front of a real Orthanc holding a 20-slice
// 256² MR series: 16 clients (16 sessions) pull the series at once, several rounds — no 5xx from the gateway, every
// body as long as Orthanc's own answer, RSS growth reported and bounded (the gateway streams, it does not buffer); and
// Orthanc stopped mid-series (a relay holds its answer part way): the client's answer is broken off, not a shorter
// series that parses, and a retry after the restart is whole.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { pacsRelay, type PacsRelay } from '../support/pacs-relay.ts';
import { seriesFiles } from '../support/series-fixtures.ts';
import { available } from '../support/skip.ts';
import { makeApp, signUp, testConfig } from './helpers.ts';

const STUDY = '2.25.8555000001';
const SERIES = '2.25.8555000001.7';
const SLICES = 20;
const CLIENTS = 16;
const ROUNDS = 8;
const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const MiB = 2 ** 20;

// A full GC before each RSS reading, so that the setup's garbage (PGlite, the sign-ups) is not counted either way.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settledRss = () => { gc(); gc(); return process.memoryUsage().rss; };

const grey = (k: number) => {
  const data = new Uint8Array(256 * 256);
  for (let i = 0; i < data.length; i++) data[i] = ((i >> 8) * 3 + (i & 0xff) + k * 11) & 0xff;
  return { data, width: 256, height: 256 };
};

/** Reads a body to its end, counting bytes and keeping none. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<number> {
  let n = 0;
  const reader = body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}

async function listen(fetchFn: (r: Request) => Response | Promise<Response>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = serve({ fetch: fetchFn, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe.runIf(available(hasOrthanc, 'Orthanc with the DICOMweb plugin (apt-get install orthanc orthanc-dicomweb)'))('the DICOMweb gateway under load and faults (real Orthanc, real server, loopback)', () => {
  let orthanc: Orthanc;
  let relay: PacsRelay;
  let db: Db;
  let direct = 0;
  const pacsEnv = (url: string) => loadConfig({ DICOMWEB_URL: url, DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD, DICOMWEB_TIMEOUT_MS: '20000' }).dicomweb;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    for (const s of seriesFiles({ studyUid: STUDY, seriesUid: SERIES, description: 'T1 AX LOAD', seriesNumber: 7, slices: Array.from({ length: SLICES }, (_, k) => ({ grey: grey(k), tumour: false })) })) {
      await orthanc.upload(s.bytes);
    }
    const res = await fetch(`${orthanc.dicomweb}/studies/${STUDY}/series/${SERIES}`, { headers: { authorization: orthanc.auth, accept: ACCEPT } });
    expect(res.status).toBe(200);
    direct = await drain(res.body);
    expect(direct).toBeGreaterThan(SLICES * 256 * 256);
    relay = await pacsRelay(orthanc.port);
    db = await openPglite();
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await relay?.close();
    await orthanc?.dispose();
    await db?.close();
  });

  it(`${CLIENTS} clients pull the ${SLICES}-slice series at once, ${ROUNDS} rounds: no 5xx, every body whole, RSS flat`, async () => {
    const app = makeApp(db, { config: testConfig({ dicomweb: pacsEnv(orthanc.dicomweb), limits: { ...testConfig().limits, dicomwebPerUser: { max: 1000, windowMs: 60_000 } } }) });
    const server = await listen(app.fetch);
    try {
      const tokens = await Promise.all(Array.from({ length: CLIENTS }, async () => (await signUp(app)).token));
      const pull = async (token: string) => {
        const res = await fetch(`${server.url}/api/dicomweb/studies/${STUDY}/series/${SERIES}`, { headers: { 'auth-token': token, accept: ACCEPT } });
        return { status: res.status, bytes: await drain(res.body) };
      };
      await pull(tokens[0]!); // warm: the first request's one-off allocations are not growth
      const rssBefore = settledRss();
      // RSS sampled through the run: the peak is what a buffering gateway would show (the end may follow a GC).
      let peak = rssBefore;
      const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
      const started = performance.now();
      const results = (await Promise.all(tokens.map(async (t) => {
        const mine = [];
        for (let r = 0; r < ROUNDS; r++) mine.push(await pull(t));
        return mine;
      }))).flat();
      const ms = performance.now() - started;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const rssAfter = settledRss();
      const total = results.reduce((n, r) => n + r.bytes, 0);
      const growth = (rssAfter - rssBefore) / MiB;
      const peakGrowth = (peak - rssBefore) / MiB;
      console.log(`gateway load: ${results.length} series retrieves (${CLIENTS} clients × ${ROUNDS}) of ${(direct / MiB).toFixed(2)} MiB in ${(ms / 1000).toFixed(2)} s ` +
        `(${(total / MiB / (ms / 1000)).toFixed(0)} MiB/s), RSS ${(rssBefore / MiB).toFixed(0)} → ${(rssAfter / MiB).toFixed(0)} MiB (growth ${growth.toFixed(1)} MiB at the end, ${peakGrowth.toFixed(1)} MiB at the peak; ${(total / MiB).toFixed(0)} MiB streamed)`);
      expect(results.filter((r) => r.status >= 500)).toEqual([]);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      expect(results.map((r) => r.bytes)).toEqual(results.map(() => direct));
      expect(peakGrowth).toBeLessThan(150);
      expect(growth).toBeLessThan(150);
    } finally {
      await server.close();
    }
  }, 180_000);

  it('Orthanc stopped mid-series: the client\'s answer is broken off (not a shorter series); after the restart a retry is whole', async () => {
    const app = makeApp(db, { config: testConfig({ dicomweb: pacsEnv(`${relay.url}/dicom-web`) }) });
    const server = await listen(app.fetch);
    try {
      const { token } = await signUp(app);
      const url = `${server.url}/api/dicomweb/studies/${STUDY}/series/${SERIES}`;
      const held = relay.holdAfter(Math.floor(direct / 3));
      const res = await fetch(url, { headers: { 'auth-token': token, accept: ACCEPT } });
      expect(res.status).toBe(200);
      const body = drain(res.body);
      body.catch(() => {});
      await held;
      await orthanc.stop();
      await expect(body).rejects.toThrow();

      await orthanc.start();
      relay.plain();
      const again = await fetch(url, { headers: { 'auth-token': token, accept: ACCEPT } });
      expect(again.status).toBe(200);
      expect(await drain(again.body)).toBe(direct);
    } finally {
      await server.close();
    }
  }, 60_000);
});

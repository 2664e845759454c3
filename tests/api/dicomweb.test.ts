// /api/dicomweb/* against a real Orthanc (tests/support/orthanc.ts: Debian's Orthanc with its DICOMweb plugin, HTTP
// basic auth on, a throw-away archive holding a generated 5-slice MR series): QIDO-RS, WADO-RS (the parts are the
// uploaded files), metadata, STOW-RS then QIDO-RS; the session, the allow-list (no other path of Orthanc and no other
// host reachable), the PACS down (502) and silent (504), the audit log, and the answer streamed on the real server;
// a fake PACS that sends its headers and a few bytes, then goes silent: the answer is broken off within the timeout.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { studyUidHash } from '../../api/dicomweb/audit.ts';
import { allowedPath } from '../../api/dicomweb/paths.ts';
import { MODEL_INFO } from '../../models/core/model.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { freePort, hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { seriesFiles, type WrittenSlice } from '../support/series-fixtures.ts';
import { available } from '../support/skip.ts';
import { expectErrorShape, makeApp, signUp, testConfig, type TestApp } from './helpers.ts';

const STUDY = '2.25.8123456789100001';
const SERIES = '2.25.8123456789200001';
const SLICES = 5;

const grey = (k: number) => {
  const size = 64;
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (i * (k + 1) + k * 37) & 0xff;
  return { data, width: size, height: size };
};

const pacsEnv = (url: string, over: Record<string, string> = {}) =>
  loadConfig({ BIGBRAIN_DATA_DIR: '/nonexistent', BIGBRAIN_DIST_DIR: '/nonexistent-dist', DICOMWEB_URL: url, DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD, ...over }).dicomweb;

/** The parts of a multipart/related body (test-only reader: the boundary from the Content-Type, parts split on it). */
function relatedParts(contentType: string, body: Buffer): Array<{ headers: string; bytes: Buffer }> {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const delim = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: string; bytes: Buffer }> = [];
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) throw new Error('unterminated multipart body');
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the boundary, drop CRLF before the next
    const split = part.indexOf('\r\n\r\n');
    parts.push({ headers: part.subarray(0, split).toString(), bytes: Buffer.from(part.subarray(split + 4)) });
    at = next;
  }
  return parts;
}

function stowBody(files: Uint8Array[], boundary = 'bigbrain-stow-boundary'): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const chunks: Buffer[] = [];
  for (const f of files) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), Buffer.from(f), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

type Dataset = Record<string, { vr: string; Value?: unknown[] }>;
const tag = (d: Dataset, t: string) => d[t]?.Value?.[0];

describe('the DICOMweb allow-list', () => {
  it('forwards DICOMweb resource paths only', () => {
    expect(allowedPath('GET', 'studies')?.action).toBe('search');
    expect(allowedPath('GET', `studies/${STUDY}/series/${SERIES}`)?.action).toBe('retrieve_series');
    expect(allowedPath('GET', `studies/${STUDY}`)?.action).toBe('retrieve_study');
    expect(allowedPath('GET', `studies/${STUDY}/series/${SERIES}/instances/1.2`)?.action).toBe('retrieve_instance');
    expect(allowedPath('GET', `studies/${STUDY}/series/${SERIES}/instances/1.2/frames/1,2`)?.action).toBe('retrieve_frames');
    expect(allowedPath('GET', `studies/${STUDY}/series/${SERIES}/metadata`)?.action).toBe('metadata');
    expect(allowedPath('POST', `studies/${STUDY}`)).toEqual({ path: `studies/${STUDY}`, action: 'store', studyUid: STUDY });
    for (const bad of ['', 'studies/', 'studies/..', 'studies/../../instances', 'studies/%2e%2e', 'studies/1.2/../../tools', '/studies', 'studies//1.2',
      'studies\\1.2', 'studies/1..2', 'studies/.1', 'studies/1.', 'studies/01.2', 'http://evil.example/studies', '//evil.example/studies',
      'instances/abc', 'tools/find', 'system', `studies/${STUDY}/series/${SERIES}/rendered`, `studies/${'1.'.repeat(40)}1`]) {
      expect(allowedPath('GET', bad), bad).toBeUndefined();
    }
    expect(allowedPath('POST', 'series')).toBeUndefined();
    expect(allowedPath('POST', `studies/${STUDY}/series/${SERIES}`)).toBeUndefined();
    expect(allowedPath('DELETE', `studies/${STUDY}`)).toBeUndefined();
  });
});

describe('DICOMWEB_* settings', () => {
  it('reads the root, the credentials and the timeout, and refuses what is not a plain http(s) root', () => {
    expect(loadConfig({}).dicomweb).toBeUndefined();
    const basic = loadConfig({ DICOMWEB_URL: 'http://pacs:8042/dicom-web/', DICOMWEB_USER: 'u', DICOMWEB_PASSWORD: 'p' }).dicomweb!;
    expect(basic.url.href).toBe('http://pacs:8042/dicom-web');
    expect(basic.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(basic.timeoutMs).toBe(30_000);
    expect(loadConfig({ DICOMWEB_URL: 'https://pacs/dw', DICOMWEB_TOKEN: 't', DICOMWEB_TIMEOUT_MS: '500' }).dicomweb).toMatchObject({ authorization: 'Bearer t', timeoutMs: 500 });
    for (const url of ['ftp://pacs/dw', 'not a url', 'http://u:p@pacs/dw', 'http://pacs/dw?x=1']) expect(() => loadConfig({ DICOMWEB_URL: url }), url).toThrow(/DICOMWEB_URL/);
    expect(() => loadConfig({ DICOMWEB_URL: 'http://pacs/dw', DICOMWEB_TOKEN: 't', DICOMWEB_USER: 'u' })).toThrow(/not both/);
  });
});

describe('without DICOMWEB_URL', () => {
  let db: Db;
  let app: TestApp;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    app = makeApp(db);
  });
  afterAll(async () => { await db?.close(); });

  it('says no PACS is configured, and /api/me says pacs: false', async () => {
    const { token } = await signUp(app);
    const res = await app.request('/api/dicomweb/studies', { headers: { 'auth-token': token } });
    expect(res.status).toBe(503);
    const body = await res.json();
    expectErrorShape(body);
    expect(body.code).toBe('pacs_not_configured');
    const me = await (await app.request('/api/me', { headers: { 'auth-token': token } })).json() as { pacs: boolean };
    expect(me.pacs).toBe(false);
  });
});

describe.runIf(available(hasOrthanc, 'Orthanc with the DICOMweb plugin (apt-get install orthanc orthanc-dicomweb)'))('/api/dicomweb against a real Orthanc', () => {
  let orthanc: Orthanc;
  let db: Db;
  let app: TestApp;
  let token: string;
  let userId: string;
  let slices: WrittenSlice[];
  const auth = () => ({ 'auth-token': token });

  beforeAll(async () => {
    orthanc = await startOrthanc();
    slices = seriesFiles({
      studyUid: STUDY, seriesUid: SERIES, description: 'T1 AX PACS', seriesNumber: 3,
      slices: Array.from({ length: SLICES }, (_, k) => ({ grey: grey(k), tumour: false })),
    });
    for (const s of slices) await orthanc.upload(s.bytes);
    db = await openPglite();
    await migrate(db);
    app = makeApp(db, { config: testConfig({ dicomweb: pacsEnv(orthanc.dicomweb, { DICOMWEB_TIMEOUT_MS: '5000' }) }) });
    ({ token } = await signUp(app));
    userId = ((await (await app.request('/api/me', { headers: auth() })).json()) as { id: string }).id;
  }, 60_000);
  afterAll(async () => {
    await orthanc?.dispose();
    await db?.close();
  });

  it('needs a session (401), and /api/me says pacs: true', async () => {
    const res = await app.request('/api/dicomweb/studies');
    expect(res.status).toBe(401);
    expectErrorShape(await res.json());
    const bad = await app.request('/api/dicomweb/studies', { headers: { 'auth-token': 'not-a-token' } });
    expect(bad.status).toBe(401);
    expect(((await (await app.request('/api/me', { headers: auth() })).json()) as { pacs: boolean }).pacs).toBe(true);
  });

  it('QIDO-RS finds the study by PatientID and ModalitiesInStudy=MR, and not under another ID', async () => {
    const res = await app.request(`/api/dicomweb/studies?PatientID=${FAKE_PATIENT.patientId}&ModalitiesInStudy=MR&junk=1`, { headers: { ...auth(), accept: 'application/dicom+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/dicom\+json/);
    const studies = await res.json() as Dataset[];
    expect(studies.map((s) => tag(s, '0020000D'))).toEqual([STUDY]);
    const none = await (await app.request('/api/dicomweb/studies?PatientID=NOBODY', { headers: auth() })).json() as Dataset[];
    expect(none).toEqual([]);
  });

  it('series search lists the series with its slice count', async () => {
    const res = await app.request(`/api/dicomweb/studies/${STUDY}/series?includefield=00201209`, { headers: auth() });
    expect(res.status).toBe(200);
    const series = await res.json() as Dataset[];
    expect(series).toHaveLength(1);
    expect(tag(series[0]!, '0020000E')).toBe(SERIES);
    expect(tag(series[0]!, '0008103E')).toBe('T1 AX PACS');
    expect(Number(tag(series[0]!, '00201209'))).toBe(SLICES);
    const instances = await (await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}/instances`, { headers: auth() })).json() as Dataset[];
    expect(instances).toHaveLength(SLICES);
  });

  it('WADO-RS retrieves the series as multipart/related whose parts are the uploaded files; the retrieve is audited', async () => {
    const res = await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}`, { headers: { ...auth(), accept: 'multipart/related; type="application/dicom"' } });
    expect(res.status).toBe(200);
    const type = res.headers.get('content-type') ?? '';
    expect(type).toMatch(/^multipart\/related/);
    const parts = relatedParts(type, Buffer.from(await res.arrayBuffer()));
    expect(parts).toHaveLength(SLICES);
    const uploaded = new Set(slices.map((s) => Buffer.from(s.bytes).toString('base64')));
    for (const p of parts) expect(uploaded.has(p.bytes.toString('base64'))).toBe(true);
    const rows = await db.query<Record<string, unknown>>('select * from dicomweb_audit where user_id = $1 and action = $2', [userId, 'retrieve_series']);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.study_uid_sha256).toBe(studyUidHash(STUDY));
    expect(rows[0]!.model_version).toBeNull();
  });

  it('one instance, its frame, the whole study and the series metadata; each retrieve of pixel data audited, the metadata not', async () => {
    const audited = async (action: string) => (await db.query<Record<string, unknown>>('select * from dicomweb_audit where user_id = $1 and action = $2', [userId, action]));
    const one = slices[2]!;
    const sop = `${SERIES}.${one.instance}`;
    const res = await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}/instances/${sop}`, { headers: { ...auth(), accept: 'multipart/related; type="application/dicom"' } });
    expect(res.status).toBe(200);
    const parts = relatedParts(res.headers.get('content-type') ?? '', Buffer.from(await res.arrayBuffer()));
    expect(parts.map((p) => p.bytes.equals(Buffer.from(one.bytes)))).toEqual([true]);
    const frame = await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}/instances/${sop}/frames/1`, { headers: { ...auth(), accept: 'multipart/related; type="application/octet-stream"' } });
    expect(frame.status).toBe(200);
    expect(relatedParts(frame.headers.get('content-type') ?? '', Buffer.from(await frame.arrayBuffer())).map((p) => p.bytes.length)).toEqual([64 * 64]);
    const study = await app.request(`/api/dicomweb/studies/${STUDY}`, { headers: { ...auth(), accept: 'multipart/related; type="application/dicom"' } });
    expect(study.status).toBe(200);
    expect(relatedParts(study.headers.get('content-type') ?? '', Buffer.from(await study.arrayBuffer()))).toHaveLength(SLICES);
    const meta = await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}/metadata`, { headers: { ...auth(), accept: 'application/dicom+json' } });
    expect(meta.status).toBe(200);
    const datasets = await meta.json() as Dataset[];
    expect(datasets).toHaveLength(SLICES);
    expect(new Set(datasets.map((d) => tag(d, '00080018')))).toEqual(new Set(slices.map((s) => `${SERIES}.${s.instance}`)));
    for (const action of ['retrieve_instance', 'retrieve_frames', 'retrieve_study']) {
      const rows = await audited(action);
      expect(rows, action).toHaveLength(1);
      expect(rows[0]!.study_uid_sha256).toBe(studyUidHash(STUDY));
      expect(rows[0]!.model_version).toBeNull();
    }
    expect(await audited('metadata')).toEqual([]);
  });

  it('STOW-RS of a new instance into the study, found again by QIDO-RS; audited with the model version and no patient data', async () => {
    const [added] = seriesFiles({ studyUid: STUDY, seriesUid: `${SERIES}9`, description: 'BIGBRAIN RESULT', seriesNumber: 99, slices: [{ grey: grey(9), tumour: false }] });
    const { body, contentType } = stowBody([added!.bytes]);
    const res = await app.request(`/api/dicomweb/studies/${STUDY}`, { method: 'POST', headers: { ...auth(), 'content-type': contentType, accept: 'application/dicom+json' }, body });
    expect(res.status, await res.clone().text()).toBe(200);
    const series = await (await app.request(`/api/dicomweb/studies/${STUDY}/series`, { headers: auth() })).json() as Dataset[];
    expect(series.map((s) => tag(s, '0020000E')).sort()).toEqual([SERIES, `${SERIES}9`].sort());
    const rows = await db.query<Record<string, unknown>>('select * from dicomweb_audit where user_id = $1 and action = $2', [userId, 'store']);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.study_uid_sha256).toBe(studyUidHash(STUDY));
    expect(rows[0]!.model_version).toBe(MODEL_INFO.version);
    const all = JSON.stringify(await db.query('select * from dicomweb_audit'));
    for (const v of [...Object.values(FAKE_PATIENT), STUDY, SERIES]) expect(all).not.toContain(v);
    // STOW takes multipart/related only.
    const wrong = await app.request(`/api/dicomweb/studies/${STUDY}`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/dicom' }, body: Buffer.from(added!.bytes) });
    expect(wrong.status).toBe(415);
  });

  it('forwards no client credentials and no other path of Orthanc: escapes are 404/400 and reach nothing', async () => {
    // Orthanc's own REST API is there (with the gateway's credentials)…
    expect((await fetch(`${orthanc.url}/instances`, { headers: { authorization: orthanc.auth } })).status).toBe(200);
    // …but not through the gateway, however the path is written.
    const escapes = [
      '/api/dicomweb/../instances', '/api/dicomweb/studies/../../instances', '/api/dicomweb/%2e%2e/instances', '/api/dicomweb/%2E%2E/tools/find',
      '/api/dicomweb/studies/%2e%2e%2f%2e%2e%2finstances', '/api/dicomweb//127.0.0.1/instances', '/api/dicomweb/\\..\\..\\instances',
      '/api/dicomweb/studies\\..\\..\\instances', '/api/dicomweb/http://example.com/studies', '/api/dicomweb/http:%2f%2fexample.com/studies',
      '/api/dicomweb/instances/', '/api/dicomweb/tools/find', '/api/dicomweb/system', `/api/dicomweb/studies/${STUDY}/..`, `/api/dicomweb/studies/${STUDY}%2f..%2f..%2finstances`,
      `/api/dicomweb/studies/${STUDY}/series/${SERIES}/rendered`,
    ];
    for (const path of escapes) {
      const res = await app.request(path, { headers: auth() });
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
      const body = await res.json();
      expectErrorShape(body);
    }
    // The URL parser turns backslashes into slashes and resolves dot segments before any route sees the path: one that
    // stays under the root is still only a DICOMweb resource (here the instances search: datasets, not Orthanc's ids).
    const inside = await app.request('/api/dicomweb/\\..\\instances', { headers: auth() });
    expect(inside.status).toBe(200);
    const found = await inside.json() as unknown[];
    expect(found.length).toBeGreaterThan(0);
    for (const d of found) expect(typeof d).toBe('object');
    // A DELETE or PUT is never forwarded.
    expect((await app.request(`/api/dicomweb/studies/${STUDY}`, { method: 'DELETE', headers: auth() })).status).toBe(405);
    // The client's Authorization header is not passed on (the gateway's own replaces it): Orthanc still answers.
    const res = await app.request('/api/dicomweb/studies', { headers: { authorization: `Bearer ${token}`, cookie: 'x=1' } });
    expect(res.status).toBe(200);
    // The study is still whole (nothing was deleted through an escape).
    const series = await (await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}/instances`, { headers: auth() })).json() as Dataset[];
    expect(series).toHaveLength(SLICES);
  });

  it('without the configured credentials (or with wrong ones) Orthanc refuses: 502 pacs_refused, not a 401 that reads as the user signed out', async () => {
    for (const over of [{}, { DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: 'wrong password' }]) {
      const open = makeApp(db, { config: testConfig({ dicomweb: loadConfig({ DICOMWEB_URL: orthanc.dicomweb, ...over }).dicomweb }) });
      const { token: t } = await signUp(open);
      const res = await open.request('/api/dicomweb/studies', { headers: { 'auth-token': t, authorization: orthanc.auth } });
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ code: 'pacs_refused', error: expect.stringMatching(/refused the server's credentials \(401\)/) });
    }
  });

  it('streams a series through the real server', async () => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => server.once('listening', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/dicomweb/studies/${STUDY}/series/${SERIES}`, { headers: { ...auth(), accept: 'multipart/related; type="application/dicom"' } });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let chunks = 0;
      let bytes = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks++;
        bytes += value.length;
      }
      expect(bytes).toBeGreaterThan(slices.reduce((n, s) => n + s.bytes.length, 0));
      expect(chunks).toBeGreaterThan(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a closed port → 502 pacs_unavailable; Orthanc stopped → 502, and back after a restart', async () => {
    const closed = makeApp(db, { config: testConfig({ dicomweb: pacsEnv(`http://127.0.0.1:${await freePort()}/dicom-web`) }) });
    const { token: t } = await signUp(closed);
    const res = await closed.request('/api/dicomweb/studies', { headers: { 'auth-token': t } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { code: string }).code).toBe('pacs_unavailable');

    await orthanc.stop();
    const down = await app.request(`/api/dicomweb/studies/${STUDY}/series/${SERIES}`, { headers: auth() });
    expect(down.status).toBe(502);
    expect(((await down.json()) as { code: string }).code).toBe('pacs_unavailable');
    await orthanc.start();
    expect((await app.request('/api/dicomweb/studies', { headers: auth() })).status).toBe(200);
  }, 60_000);

  it('a PACS that never answers → 504 pacs_unavailable within the timeout', async () => {
    const silent = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = silent.address() as AddressInfo;
      const slow = makeApp(db, { config: testConfig({ dicomweb: pacsEnv(`http://127.0.0.1:${port}/dicom-web`, { DICOMWEB_TIMEOUT_MS: '300' }) }) });
      const { token: t } = await signUp(slow);
      const started = Date.now();
      const res = await slow.request('/api/dicomweb/studies', { headers: { 'auth-token': t } });
      const ms = Date.now() - started;
      expect(res.status).toBe(504);
      expect(((await res.json()) as { code: string }).code).toBe('pacs_unavailable');
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(3000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('what reaches the PACS (a recording HTTP server as the DICOMweb root)', () => {
  let db: Db;
  let server: Server;
  let app: TestApp;
  let token: string;
  const seen: Array<{ method: string; url: string; headers: Record<string, string | string[] | undefined> }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/dicom+json', 'set-cookie': 'pacs=1', 'x-internal': 'secret', 'content-location': 'http://10.0.0.7:8042/dicom-web/studies' }); res.end('[]'); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    db = await openPglite();
    await migrate(db);
    app = makeApp(db, { config: testConfig({ dicomweb: loadConfig({ DICOMWEB_URL: `http://127.0.0.1:${port}/pacs/dicom-web/`, DICOMWEB_TOKEN: 'pacs-token' }).dicomweb }) });
    ({ token } = await signUp(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db?.close();
  });

  it('sends the allowed path under the root, allowed query keys, Accept and the configured token only', async () => {
    seen.length = 0;
    const res = await app.request(`/api/dicomweb/studies?PatientID=A%26B&ModalitiesInStudy=MR&00100010=DOE*&url=http://evil&__proto__=1`, {
      headers: { 'auth-token': token, accept: 'application/dicom+json', cookie: 'bigbrain_session=abc', 'x-forwarded-host': 'evil.example', host: 'evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-internal')).toBeNull();
    expect(res.headers.get('content-location')).toBeNull(); // the PACS's own address stays on the server
    expect(seen).toHaveLength(1);
    const [r] = seen;
    expect(r!.method).toBe('GET');
    expect(r!.url).toBe('/pacs/dicom-web/studies?PatientID=A%26B&ModalitiesInStudy=MR&00100010=DOE*');
    expect(r!.headers.authorization).toBe('Bearer pacs-token');
    expect(r!.headers.accept).toBe('application/dicom+json');
    expect(r!.headers.cookie).toBeUndefined();
    expect(r!.headers['auth-token']).toBeUndefined();
    expect(r!.headers['x-forwarded-host']).toBeUndefined();
    expect(r!.headers.host).toBe(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it('refuses escapes, other hosts and other methods before anything is sent', async () => {
    seen.length = 0;
    for (const path of ['/api/dicomweb/%2e%2e/%2e%2e/system', '/api/dicomweb//evil.example/studies', '/api/dicomweb/studies/1.2%2f..', '/api/dicomweb/https://evil.example/studies',
      '/api/dicomweb/studies/1.2/series/x', '/api/dicomweb/studies;jsessionid=1', '/api/dicomweb/studies%00', '/api/dicomweb/']) {
      const res = await app.request(path, { headers: { 'auth-token': token } });
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
    }
    expect((await app.request('/api/dicomweb/studies/1.2', { method: 'PUT', headers: { 'auth-token': token } })).status).toBe(405);
    expect((await app.request('/api/dicomweb/studies')).status).toBe(401);
    expect(seen).toEqual([]);
  });

  it('audits every WADO-RS retrieve of pixel data — study, series, instance, frames — with the study UID hash; searches and metadata not; a refused one not', async () => {
    const { token: t } = await signUp(app);
    const userId = ((await (await app.request('/api/me', { headers: { 'auth-token': t } })).json()) as { id: string }).id;
    const study = '2.25.555001';
    const series = `studies/${study}/series/2.25.555002`;
    const instance = `${series}/instances/2.25.555003`;
    const paths = [`studies/${study}`, series, instance, `${instance}/frames/1,2`, `studies/${study}/metadata`, `${series}/metadata`, `${instance}/metadata`, 'studies', `studies/${study}/series`, `${series}/instances`];
    for (const p of paths) expect((await app.request(`/api/dicomweb/${p}`, { headers: { 'auth-token': t } })).status, p).toBe(200);
    const rows = await db.query<{ action: string; study_uid_sha256: string; model_version: string | null }>('select action, study_uid_sha256, model_version from dicomweb_audit where user_id = $1 order by created_at, action', [userId]);
    expect(rows.map((r) => r.action).sort()).toEqual(['retrieve_frames', 'retrieve_instance', 'retrieve_series', 'retrieve_study']);
    for (const r of rows) expect(r).toMatchObject({ study_uid_sha256: studyUidHash(study), model_version: null });
    expect(JSON.stringify(rows)).not.toContain(study);
    // Not found at the PACS: nothing retrieved, nothing written.
    const missing = createServer((_req, res) => { res.writeHead(404, { 'content-type': 'application/dicom+json' }); res.end('{}'); });
    await new Promise<void>((r) => missing.listen(0, '127.0.0.1', () => r()));
    try {
      const none = makeApp(db, { config: testConfig({ dicomweb: loadConfig({ DICOMWEB_URL: `http://127.0.0.1:${(missing.address() as AddressInfo).port}/dicom-web` }).dicomweb }) });
      const { token: t2 } = await signUp(none);
      const id2 = ((await (await none.request('/api/me', { headers: { 'auth-token': t2 } })).json()) as { id: string }).id;
      for (const p of paths.slice(0, 4)) expect((await none.request(`/api/dicomweb/${p}`, { headers: { 'auth-token': t2 } })).status, p).toBe(404);
      expect(await db.query('select * from dicomweb_audit where user_id = $1', [id2])).toEqual([]);
    } finally {
      missing.closeAllConnections();
      await new Promise((r) => missing.close(r));
    }
  });

  it('is rate-limited per user (429 rate_limited with Retry-After)', async () => {
    const limited = makeApp(db, { config: testConfig({ dicomweb: loadConfig({ DICOMWEB_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pacs/dicom-web` }).dicomweb, limits: { ...testConfig().limits, dicomwebPerUser: { max: 2, windowMs: 60_000 } } }) });
    const { token: t } = await signUp(limited);
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await limited.request('/api/dicomweb/studies', { headers: { 'auth-token': t } })).status);
    expect(codes).toEqual([200, 200, 429]);
  });
});

describe('a PACS that sends its headers and some bytes, then goes silent (a fake DICOMweb root)', () => {
  const TIMEOUT = 400;
  let db: Db;
  let server: Server;
  let app: TestApp;
  let token: string;
  /** Each request's connection: when it was closed (the gateway aborting its upstream request closes it). */
  const closed: Array<Promise<number>> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      closed.push(new Promise((r) => req.socket.once('close', () => r(Date.now()))));
      const url = req.url ?? '';
      const multipart = /\/series\/[0-9.]+$/.test(url);
      res.writeHead(200, { 'content-type': multipart ? 'multipart/related; type="application/dicom"; boundary=b0undary' : 'application/dicom+json' });
      if (url.startsWith('/dicom-web/studies/2.25.7/series/2.25.8/instances')) {
        // Slow but never silent for the timeout: a chunk every TIMEOUT / 3 ms, 8 of them, then the end.
        let n = 0;
        const tick = setInterval(() => {
          if (++n < 8) res.write(n === 1 ? '[' : ' ');
          else { clearInterval(tick); res.end(']'); }
        }, TIMEOUT / 3);
        req.socket.once('close', () => clearInterval(tick));
        return;
      }
      res.write(multipart ? `--b0undary\r\nContent-Type: application/dicom\r\n\r\n${'D'.repeat(2000)}` : '[{"0020000D":');
      // …and nothing more, the connection left open.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    db = await openPglite();
    await migrate(db);
    app = makeApp(db, { config: testConfig({ dicomweb: loadConfig({ DICOMWEB_URL: `http://127.0.0.1:${port}/dicom-web`, DICOMWEB_TIMEOUT_MS: String(TIMEOUT) }).dicomweb }) });
    ({ token } = await signUp(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await db?.close();
  });

  /** Reads a body to its end or its error: the bytes, and the error (undefined when it ended cleanly). */
  async function drain(body: ReadableStream<Uint8Array>): Promise<{ bytes: number; error: unknown; ms: number }> {
    const started = Date.now();
    const reader = body.getReader();
    let bytes = 0;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { bytes, error: undefined, ms: Date.now() - started };
        bytes += value.length;
      }
    } catch (error) {
      return { bytes, error, ms: Date.now() - started };
    }
  }

  it('a search answer: the headers are passed on, then the body errors within about the timeout and the upstream request is aborted', async () => {
    closed.length = 0;
    const started = Date.now();
    const res = await app.request('/api/dicomweb/studies', { headers: { 'auth-token': token } });
    expect(res.status).toBe(200);
    const got = await drain(res.body!);
    expect(got.bytes).toBeGreaterThan(0);
    expect(got.error).toMatchObject({ code: 'pacs_unavailable' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 2500);
    expect(closed).toHaveLength(1);
    expect(await closed[0]! - started).toBeLessThan(TIMEOUT + 2500);
  });

  it('a series through the real server: the client sees a broken body (not a clean end) within about the timeout', async () => {
    closed.length = 0;
    const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => http.once('listening', () => r()));
    try {
      const { port } = http.address() as AddressInfo;
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/dicomweb/studies/2.25.1/series/2.25.2`, { headers: { 'auth-token': token, accept: 'multipart/related; type="application/dicom"' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^multipart\/related/);
      const got = await drain(res.body!);
      expect(got.bytes).toBeGreaterThan(2000);
      expect(got.error).toBeInstanceOf(Error);
      const ms = Date.now() - started;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 50);
      expect(ms).toBeLessThan(TIMEOUT + 2500);
      expect(closed).toHaveLength(1);
      expect(await closed[0]! - started).toBeLessThan(TIMEOUT + 2500);
    } finally {
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });

  it('slow but never silent for the timeout (the timer starts again at each chunk): the whole answer, well past the timeout in all', async () => {
    const res = await app.request('/api/dicomweb/studies/2.25.7/series/2.25.8/instances', { headers: { 'auth-token': token } });
    expect(res.status).toBe(200);
    const got = await drain(res.body!);
    expect(got.error).toBeUndefined();
    expect(got.bytes).toBe(8);
    expect(got.ms).toBeGreaterThan(TIMEOUT * 1.5);
  });

  it('a slow client is not taken for a silent PACS: a body read only after twice the timeout still arrives whole', async () => {
    const res = await app.request('/api/dicomweb/studies/2.25.7/series/2.25.8/instances', { headers: { 'auth-token': token } });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, TIMEOUT * 2));
    const got = await drain(res.body!);
    expect(got.error).toBeUndefined();
    expect(got.bytes).toBe(8);
  });
});

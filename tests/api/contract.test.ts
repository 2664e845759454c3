// The REST contract through app.request: root/health, /authorization, the explicit auth routes,
// token transports, errors, headers, static files and the OpenAPI document. (Embedded PGlite, stub model.)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../api/db/pglite.ts';
import { migrate } from '../../api/db/migrate.ts';
import type { Db } from '../../api/db/types.ts';
import { MODEL_INFO } from '../../models/core/model.ts';
import { expectErrorShape, makeApp, postJson, signUp, testConfig, uniqueEmail, type TestApp } from './helpers.ts';

let db: Db;
let app: TestApp;
let dist: string;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  dist = mkdtempSync(join(tmpdir(), 'bigbrain-dist-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>BigBrain</title>');
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'assets', 'ort.wasm'), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dist, 'assets', 'ort.mjs'), 'export {}');
  mkdirSync(join(dist, 'models'));
  writeFileSync(join(dist, 'models', 'm.onnx'), new Uint8Array([1, 2, 3]));
  app = makeApp(db, { config: testConfig({ distDir: dist }) });
});
afterAll(async () => {
  await db.close();
  rmSync(dist, { recursive: true, force: true });
});

const pngOf = () => sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();

describe('GET / and /health', () => {
  it('answers JSON to API clients, with version and model version', async () => {
    for (const path of ['/', '/health', '/api/health']) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', version: expect.any(String), model: MODEL_INFO });
    }
  });

  it('serves the PWA to browsers', async () => {
    const res = await app.request('/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<title>BigBrain</title>');
    const deep = await app.request('/history', { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('BigBrain');
  });

  it('serves static files with the right types and cross-origin isolation headers', async () => {
    const cases = { '/assets/ort.wasm': 'application/wasm', '/assets/ort.mjs': 'text/javascript', '/models/m.onnx': 'application/octet-stream' };
    for (const [path, type] of Object.entries(cases)) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
    }
    const res = await app.request('/health');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('never serves files outside dist/ and public/', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expectErrorShape(await res.json());
    }
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('POST /authorization (register-or-login)', () => {
  it('registers on first use and logs in afterwards, with a normalised email', async () => {
    const email = uniqueEmail();
    const first = await postJson(app, '/authorization', { email: `  ${email.toUpperCase()} `, password: 'correct horse battery' });
    expect(first.status).toBe(200);
    const { accessToken } = (await first.json()) as { accessToken: string };
    expect(accessToken).toMatch(/^[a-z2-7]{32}$/);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/bigbrain_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const again = await postJson(app, '/authorization', { email, password: 'correct horse battery' });
    expect(again.status).toBe(200);
    const other = ((await again.json()) as { accessToken: string }).accessToken;
    expect(other).not.toBe(accessToken);
    const me = await app.request('/api/me', { headers: { 'auth-token': other } });
    expect(await me.json()).toMatchObject({ email });
  });

  it('marks the cookie Secure over HTTPS', async () => {
    const res = await postJson(app, 'https://bigbrain.example/authorization', { email: uniqueEmail(), password: 'correct horse battery' });
    expect(res.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('answers a wrong password with 401 invalid_credentials', async () => {
    const { email } = await signUp(app);
    const res = await postJson(app, '/authorization', { email, password: 'not the password' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.any(String), code: 'invalid_credentials' });
  });

  it.each([
    ['malformed email', { email: 'not-an-email', password: 'correct horse battery' }],
    ['short password', { email: 'a@b.co', password: 'short' }],
    ['long password', { email: 'a@b.co', password: 'x'.repeat(257) }],
    ['missing password', { email: 'a@b.co' }],
    ['missing email', { password: 'correct horse battery' }],
    ['wrong types', { email: 1, password: true }],
    ['array', [1, 2]],
    ['malformed JSON', '{"email": '],
  ])('answers %s with 400', async (_name, body) => {
    const res = await postJson(app, '/authorization', body);
    expect(res.status).toBe(400);
    const json = await res.json();
    expectErrorShape(json);
    expect(json.code).toBe('invalid_request');
  });

  it('answers a non-JSON body with 400', async () => {
    for (const headers of [{ 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }, {}] as Record<string, string>[]) {
      const res = await app.request('/authorization', { method: 'POST', headers, body: 'email=a@b.co&password=12345678' });
      expect(res.status).toBe(400);
      expectErrorShape(await res.json());
    }
  });

  it('does not register unknown emails when AUTO_REGISTER is off', async () => {
    const closed = makeApp(db, { config: testConfig({ autoRegister: false }) });
    const res = await postJson(closed, '/authorization', { email: uniqueEmail(), password: 'correct horse battery' });
    expect(res.status).toBe(401);
    const { email } = await signUp(app);
    expect((await postJson(closed, '/authorization', { email, password: 'correct horse battery' })).status).toBe(200);
  });
});

describe('token transports', () => {
  it('accepts the auth-token header, a Bearer token and the session cookie', async () => {
    const { email, token } = await signUp(app);
    for (const headers of [{ 'auth-token': token }, { authorization: `Bearer ${token}` }, { cookie: `bigbrain_session=${token}` }] as Record<string, string>[]) {
      const res = await app.request('/api/me', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
      expect(await res.json()).toMatchObject({ email });
    }
  });

  it('answers a missing, malformed or unknown token with 401 JSON', async () => {
    for (const headers of [{}, { 'auth-token': 'nope' }, { authorization: 'Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, { authorization: 'Basic eDp5' }, { cookie: 'bigbrain_session=' }] as Record<string, string>[]) {
      const res = await app.request('/detect', { method: 'POST', headers, body: await pngOf() });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expectErrorShape(await res.json());
    }
  });
});

describe('POST /detect (stub model)', () => {
  it('answers the contract shape for multipart and raw bodies, under / and /api', async () => {
    const { token } = await signUp(app);
    const png = await pngOf();
    const form = new FormData();
    form.set('file', new Blob([png], { type: 'image/png' }), 'scan.png');
    const responses = [
      await app.request('/detect', { method: 'POST', headers: { 'auth-token': token }, body: form }),
      await app.request('/api/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: png }),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        result: 'Tumor', label: 'glioma', tumorProbability: expect.any(Number), uncertain: false,
        probabilities: { glioma: expect.any(Number), meningioma: expect.any(Number), pituitary: expect.any(Number), notumor: expect.any(Number) },
        model: MODEL_INFO, ms: expect.any(Number),
      });
    }
  });

  it('answers upload mistakes with 4xx JSON', async () => {
    const { token } = await signUp(app);
    const auth = { 'auth-token': token };
    const png = await pngOf();
    const wrongField = new FormData();
    wrongField.set('image', new Blob([png]), 'a.png');
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob([png]), 'a.png');
    twoFiles.append('file', new Blob([png]), 'b.png');
    const empty = new FormData();
    empty.set('file', new Blob([]), 'empty.png');
    const cases: Array<[RequestInit, number, string]> = [
      [{ body: wrongField }, 400, 'missing_file'],
      [{ body: twoFiles }, 400, 'too_many_files'],
      [{ body: empty }, 400, 'empty_file'],
      [{}, 400, 'missing_file'],
      [{ headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415, 'unsupported_type'],
      [{ headers: { 'content-type': 'image/png' }, body: 'hello, not a png' }, 415, 'unsupported_type'],
      [{ headers: { 'content-type': 'image/jpeg' }, body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) }, 422, 'corrupt_image'],
      [{ headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nbroken' }, 400, 'invalid_request'],
    ];
    for (const [init, status, code] of cases) {
      const res = await app.request('/detect', { method: 'POST', ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      const body = await res.json();
      expect({ status: res.status, code: (body as { code: string }).code }, JSON.stringify(init.headers ?? init.body)).toEqual({ status, code });
      expectErrorShape(body);
    }
  });

  it('answers bodies over the limit with 413', async () => {
    const small = makeApp(db, { config: testConfig({ bodyLimit: 2048 }) });
    const { token } = await signUp(small);
    const res = await small.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: new Uint8Array(4096) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'too_large' });
  });
});

describe('GET /api/openapi.json', () => {
  it('describes every route from the zod schemas', async () => {
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    const expected = {
      '/': ['get'], '/health': ['get'], '/authorization': ['post'], '/detect': ['post'],
      '/api/health': ['get'], '/api/authorization': ['post'], '/api/detect': ['post'],
      '/api/auth/register': ['post'], '/api/auth/login': ['post'], '/api/auth/logout': ['post'],
      '/api/me': ['get'], '/api/detections': ['get', 'post'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const m of methods) expect(doc.paths[path]?.[m], `${m} ${path}`).toBeDefined();
    }
    expect(doc.components.schemas).toHaveProperty('Credentials.properties.password.minLength', 8);
    expect(doc.components.schemas).toHaveProperty('Error');
  });
});

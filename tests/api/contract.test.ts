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
import { expectErrorShape, makeApp, postJson, signUp, stubClassifier, testConfig, uniqueEmail, type TestApp } from './helpers.ts';

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

  it('GET / carries the original API\'s {"message": "This is home!"} beside its own fields', async () => {
    const res = await app.request('/', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.message).toBe('This is home!');
    expect(Object.keys(body).sort()).toEqual(['database', 'message', 'model', 'name', 'status', 'version']);
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
    const textOnly = new FormData();
    textOnly.set('File', 'scan.png');
    const twoFiles = new FormData();
    twoFiles.append('file', new Blob([png]), 'a.png');
    twoFiles.append('file', new Blob([png]), 'b.png');
    const empty = new FormData();
    empty.set('file', new Blob([]), 'empty.png');
    const cases: Array<[RequestInit, number, string]> = [
      [{ body: textOnly }, 400, 'missing_file'],
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

  it('refuses an image under 64 px on its shorter side with 422 too_small, before the model sees it', async () => {
    let calls = 0;
    const counting = makeApp(db, { classifier: { analyse: (images) => { calls++; return stubClassifier.analyse(images); } } });
    const { token } = await signUp(counting);
    const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
    for (const [w, h] of [[48, 48], [63, 400], [400, 63]] as const) {
      const res = await counting.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: await png(w, h) });
      const body = await res.json();
      expect({ status: res.status, body }).toEqual({ status: 422, body: { code: 'too_small', error: expect.stringMatching(new RegExp(`${w}×${h}.*64 px`)) } });
    }
    expect(calls).toBe(0);
    const ok = await counting.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: await png(64, 64) });
    expect(ok.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('answers bodies over the limit with 413', async () => {
    const small = makeApp(db, { config: testConfig({ bodyLimit: 2048 }) });
    const { token } = await signUp(small);
    const res = await small.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: new Uint8Array(4096) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'too_large' });
  });
});

/** A multipart body exactly as a client writes it: one part per [headers, content]. */
function multipart(boundary: string, parts: Array<[string[], Uint8Array | string]>): Uint8Array<ArrayBuffer> {
  const chunks: Buffer[] = [];
  for (const [headers, content] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Uint8Array.from(Buffer.concat(chunks));
}

describe('POST /detect takes the one file of a form in any field, as the original clients send it', () => {
  let token = '';
  let png: Uint8Array<ArrayBuffer>;
  beforeAll(async () => {
    ({ token } = await signUp(app));
    png = Uint8Array.from(await pngOf());
  });
  const post = (body: BodyInit, contentType: string, headers: Record<string, string> = {}) =>
    app.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': contentType, ...headers }, body });

  it('curl -F File=@scan.jpg (the original README\'s field, byte for byte as curl 7.88 writes it)', async () => {
    const boundary = '------------------------651a23063aa58235';
    const body = multipart(boundary, [[['Content-Disposition: form-data; name="File"; filename="scan.jpg"', 'Content-Type: image/jpeg'], png]]);
    const res = await post(body, `multipart/form-data; boundary=${boundary}`, { 'user-agent': 'curl/7.88.1', accept: '*/*', 'content-length': String(body.length) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'Tumor', label: 'glioma', model: MODEL_INFO, id: expect.any(String) });
  });

  it('Postman form-data, key File of type file (the original README\'s sample body)', async () => {
    const boundary = '--------------------------598273645012938475610293';
    const body = multipart(boundary, [[['Content-Disposition: form-data; name="File"; filename="image_with_no_tumor.png"', 'Content-Type: image/png'], png]]);
    const res = await post(body, `multipart/form-data; boundary=${boundary}`, {
      'user-agent': 'PostmanRuntime/7.39.0', accept: '*/*', 'cache-control': 'no-cache', 'postman-token': 'c0ffee00-1234-4abc-9def-0123456789ab',
      'accept-encoding': 'gzip, deflate, br', connection: 'keep-alive',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'Tumor', label: 'glioma' });
  });

  it('a Python client (requests: files={"File": f}), whose part has no Content-Type', async () => {
    const boundary = '6f1d0c3e9b2a4d5f8e7c6b5a4d3c2b1a';
    const body = multipart(boundary, [[['Content-Disposition: form-data; name="File"; filename="scan.png"'], png]]);
    const res = await post(body, `multipart/form-data; boundary=${boundary}`);
    expect(res.status).toBe(200);
  });

  it.each(['File', 'file', 'image', 'upload', 'scan[]'])('the field %s, with text fields beside it', async (field) => {
    const form = new FormData();
    form.set('note', 'axial T1');
    form.set(field, new Blob([png], { type: 'image/png' }), 'scan.png');
    const res = await app.request('/detect', { method: 'POST', headers: { 'auth-token': token }, body: form });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: 'Tumor' });
  });

  it('two files → 400 too_many_files naming both fields; text only → 400 missing_file naming it; an empty File → 400 empty_file', async () => {
    const blob = new Blob([png], { type: 'image/png' });
    const two = new FormData();
    two.set('File', blob, 'a.png');
    two.set('image', blob, 'b.png');
    const text = new FormData();
    text.set('File', 'scan.jpg');
    const empty = new FormData();
    empty.set('File', new Blob([]), 'scan.jpg');
    const answers = await Promise.all([two, text, empty].map(async (body) => {
      const res = await app.request('/detect', { method: 'POST', headers: { 'auth-token': token }, body });
      return { status: res.status, body: (await res.json()) as { code: string; error: string } };
    }));
    expect(answers.map((a) => [a.status, a.body.code])).toEqual([[400, 'too_many_files'], [400, 'missing_file'], [400, 'empty_file']]);
    expect(answers[0]!.body.error).toMatch(/2 files \(fields "File", "image"\)/);
    expect(answers[1]!.body.error).toMatch(/only text in "File"/);
    expect(answers[2]!.body.error).toMatch(/"File" is empty/);
  });
});

describe('POST /detect?heatmap=1 and ?overlay=1 (stub model: a 2 × 2 map of -1, 0, 1, 3 at P(tumour) 0.9667)', () => {
  let token = '';
  let png: Uint8Array<ArrayBuffer>;
  beforeAll(async () => {
    ({ token } = await signUp(app));
    png = Uint8Array.from(await pngOf());
  });
  const detect = async (query: string) => {
    const res = await app.request(`/detect${query}`, { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: png });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('adds the map scaled as the PWA scales it (its shape times P(tumour)), row-major, only when asked', async () => {
    const plain = await detect('');
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('heatmap');
    expect(plain.body).not.toHaveProperty('overlay');
    for (const q of ['?heatmap=1', '?heatmap=true']) {
      const { status, body } = await detect(q);
      expect(status).toBe(200);
      expect(body.heatmap).toEqual({ width: 2, height: 2, values: [0, 0.242, 0.483, 0.967] });
      expect(body).not.toHaveProperty('overlay');
      expect({ ...body, heatmap: undefined, ms: 0, id: '' }).toEqual({ ...plain.body, ms: 0, id: '' });
    }
    expect((await detect('?heatmap=0')).body).not.toHaveProperty('heatmap');
  });

  it('?overlay=1 adds a 288 × 288 PNG: the crop where the map is 0, red over it where the map is 1', async () => {
    const { status, body } = await detect('?overlay=1');
    expect(status).toBe(200);
    expect(body.heatmap).toEqual({ width: 2, height: 2, values: [0, 0.242, 0.483, 0.967] });
    const url = body.overlay as string;
    expect(url).toMatch(/^data:image\/png;base64,/);
    const { data, info } = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([288, 288]);
    const at = (x: number, y: number) => [...data.subarray((y * 288 + x) * 3, (y * 288 + x) * 3 + 3)];
    expect(at(2, 2)).toEqual([128, 128, 128]); // top left: the map's minimum, transparent over the grey crop
    const [r, g, b] = at(285, 285); // bottom right: the maximum (0.967), red at 164/255 over grey
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it('refuses a malformed flag with 400, and never stores the map', async () => {
    const bad = await detect('?heatmap=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
    const { body } = await detect('?overlay=1');
    const page = await app.request('/api/detections?limit=1', { headers: { 'auth-token': token } });
    const [stored] = ((await page.json()) as { items: Array<Record<string, unknown>> }).items;
    expect(stored!.id).toBe(body.id);
    expect(stored).not.toHaveProperty('heatmap');
    expect(stored).not.toHaveProperty('overlay');
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

  it('documents the home message, any upload field, the heat map and what a refused image carries', async () => {
    type Schema = { properties?: Record<string, Schema & { description?: string }>; description?: string; oneOf?: Schema[]; anyOf?: Schema[]; type?: string | string[]; nullable?: boolean; enum?: unknown[] };
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { description?: string; parameters?: Array<{ name: string; in: string; description?: string }> }>>;
      components: { schemas: Record<string, Schema> };
    };
    const { schemas } = doc.components;
    expect(schemas.Status?.properties?.message).toMatchObject({ enum: ['This is home!'] });
    expect(schemas.Upload?.properties?.File?.description).toMatch(/any field/);
    expect(schemas.Heatmap?.description).toMatch(/not an outline of the tumour/);
    expect(schemas.Heatmap?.properties?.values?.description).toMatch(/row-major/);
    expect(Object.keys(schemas.Analysis?.properties ?? {})).toEqual(expect.arrayContaining(['heatmap', 'overlay']));
    expect(schemas.Analysis?.properties?.overlay?.description).toMatch(/not an outline of the tumour/);
    const detect = doc.paths['/detect']?.post;
    expect(detect?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:heatmap', 'query:overlay']));
    expect(detect?.description).toMatch(/too_small/);
    // A refused image: label, probabilities and P(tumour) null in the history, and in a device upload.
    for (const k of ['label', 'probabilities', 'tumorProbability']) expect(JSON.stringify(schemas.Detection?.properties?.[k]), k).toMatch(/"null"|"nullable":true/);
    const variants = schemas.NewDetection?.oneOf ?? schemas.NewDetection?.anyOf ?? [];
    const refusal = variants.find((v) => JSON.stringify(v.properties?.result).includes('Not a brain MRI'));
    expect(JSON.stringify(refusal?.properties?.label)).toMatch(/"null"|"nullable":true/);
  });
});

// Issue 6, bad input: a generated corpus of malformed requests over real HTTP (truncated and bit-flipped
// images, random and zero bytes, decompression-bomb headers, polyglots, wrong content types, broken
// multipart, malformed JSON, absurd headers, oversize tokens, broken HTTP framing). Every one must get a
// JSON 4xx, none a 5xx, and /health must still answer afterwards. Also: the body limit answers 413 before a
// streamed body (no Content-Length) has been read whole.
import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../api/db/types.ts';
import { listen, type Listening } from '../../api/listen.ts';
import type { Classifier } from '../../models/node/classifier.ts';
import { drivers } from './drivers.ts';
import { makeApp, stubClassifier, testConfig } from './helpers.ts';
import { jpegClaiming, pngClaiming, webpClaiming } from './images.ts';
import { rawRequest } from './raw-http.ts';

/** Checks that every preprocessed tensor is finite, then calls every image "not a brain MRI" (→ 422). */
const notMri: Pick<Classifier, 'analyse'> = {
  async analyse(images) {
    for (const im of images) {
      if (im.tensor.length !== im.size * im.size || !im.tensor.every(Number.isFinite)) throw new Error('non-finite tensor');
    }
    return (await stubClassifier.analyse(images)).map((r) => ({
      ...r, result: 'Not a brain MRI' as const, label: null, probabilities: null, tumorProbability: null, uncertain: false as const, mriProbability: 0.01,
    }));
  },
};

let db: Db;
let dispose: () => Promise<void>;
let server: Listening;
let token: string;
const BODY_LIMIT = 2 * 1024 * 1024;

beforeAll(async () => {
  ({ db, dispose } = await drivers[0]!.open());
  const limits = { loginPerEmailIp: { max: 10_000, windowMs: 60_000 }, loginPerEmail: { max: 10_000, windowMs: 60_000 }, loginPerIp: { max: 10_000, windowMs: 60_000 }, detectPerUser: { max: 10_000, windowMs: 60_000 } };
  server = await listen(makeApp(db, { classifier: notMri, config: testConfig({ bodyLimit: BODY_LIMIT, limits }) }).fetch);
  const res = await fetch(`${server.url}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fuzz@example.com', password: 'correct horse battery' }) });
  token = ((await res.json()) as { accessToken: string }).accessToken;
});
afterAll(async () => {
  await server.close();
  await dispose();
});

// ---- the corpus -------------------------------------------------------------------------------------

interface Case {
  kind: string;
  name: string;
  /** fetch: path + init; raw: the bytes of a whole HTTP request. */
  fetch?: [string, RequestInit];
  raw?: string | Uint8Array;
  /** A status the case must get (otherwise any 4xx). */
  status?: number;
}

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
function flipBits(src: Uint8Array, flips: number): Uint8Array {
  const out = Uint8Array.from(src);
  for (let i = 0; i < flips; i++) { const at = Math.floor(rand() * out.length); out[at]! ^= 1 << Math.floor(rand() * 8); }
  return out;
}
const cat = (...parts: Array<Uint8Array | string>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

async function sources() {
  const raw = randomBytes(96 * 96 * 3);
  const img = () => sharp(raw, { raw: { width: 96, height: 96, channels: 3 } });
  return {
    jpeg: new Uint8Array(await img().jpeg().toBuffer()),
    png: new Uint8Array(await img().png().toBuffer()),
    webp: new Uint8Array(await img().webp().toBuffer()),
  };
}

async function corpus(): Promise<Case[]> {
  const auth = { 'auth-token': token };
  const cases: Case[] = [];
  const multipart = (bytes: Uint8Array, type = 'application/octet-stream', field = 'file') => {
    const form = new FormData();
    form.set(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), 'scan');
    return form;
  };
  const detect = (kind: string, name: string, bytes: Uint8Array, how: 'multipart' | 'raw', status?: number, type = 'image/jpeg') =>
    cases.push({ kind, name: `${name} (${how})`, status, fetch: ['/detect', { method: 'POST', headers: how === 'raw' ? { ...auth, 'content-type': type } : auth, body: how === 'raw' ? (bytes as Uint8Array<ArrayBuffer>) : multipart(bytes, type) }] });
  const src = await sources();

  for (const [type, bytes] of Object.entries(src)) {
    // truncated: 20 cut points from 1 byte to all but one
    if (type !== 'webp') {
      for (let i = 0; i < 20; i++) {
        const cut = i === 0 ? 1 : i === 19 ? bytes.length - 1 : Math.floor((bytes.length * i) / 20);
        for (const how of ['multipart', 'raw'] as const) detect(`truncated ${type}`, `${type} cut at ${cut}/${bytes.length}`, bytes.subarray(0, cut), how);
      }
    }
    // bit-flipped: 1 to 64 flips anywhere (some still decode: then the classifier's 422 not_mri)
    for (let i = 0; i < (type === 'webp' ? 10 : 30); i++) detect(`bit-flipped ${type}`, `${type} with ${1 + (i % 8) * 9} flips #${i}`, flipBits(bytes, 1 + (i % 8) * 9), i % 2 ? 'raw' : 'multipart', undefined, `image/${type}`);
  }

  for (const n of [1, 2, 3, 7, 12, 100, 1000, 4096, 65_536, 300_000]) detect('random bytes', `${n} random bytes`, randomBytes(n), n % 2 ? 'raw' : 'multipart', 415);
  const magic = { jpeg: [0xff, 0xd8, 0xff], png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], webp: [...Buffer.from('RIFF\0\0\0\0WEBP')] };
  for (const [type, m] of Object.entries(magic)) {
    for (const n of [0, 10, 1000, 50_000]) detect('random bytes', `${type} magic + ${n} random bytes`, cat(Uint8Array.from(m), randomBytes(n)), n % 20 ? 'raw' : 'multipart', 422);
  }
  for (const n of [1, 8, 100, 10_000, 1_000_000]) for (const how of ['multipart', 'raw'] as const) detect('zero bytes', `${n} zero bytes`, new Uint8Array(n), how, 415);
  for (const how of ['multipart', 'raw'] as const) detect('zero bytes', 'empty file', new Uint8Array(0), how, 400);

  const claims: Array<[number, number]> = [[60_000, 60_000], [8193, 1], [1, 8193], [7000, 7000], [16_383, 16_383]];
  for (const [w, h] of claims) {
    detect('huge declared dimensions', `PNG IHDR ${w}×${h}`, await pngClaiming(w, h), 'raw', 413, 'image/png');
    detect('huge declared dimensions', `JPEG SOF ${w}×${h}`, await jpegClaiming(w, h), 'multipart', 413);
    detect('huge declared dimensions', `WebP VP8 ${w & 0x3fff}×${h & 0x3fff}`, await webpClaiming(w, h), 'raw', 413, 'image/webp');
  }

  const polyglots: Array<[string, Uint8Array, number?]> = [
    ['JPEG SOI + HTML/script', cat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]), '<html><script>alert(1)</script></html>'), 422],
    ['PNG signature + ZIP', cat(Uint8Array.from(magic.png), 'PK\x03\x04', randomBytes(200)), 422],
    ['valid PNG + appended HTML', cat(src.png, '<script>alert(1)</script>')],
    ['valid JPEG + appended ZIP', cat(src.jpeg, 'PK\x03\x04', randomBytes(100))],
    ['GIF89a (GIFAR)', cat('GIF89a', randomBytes(50), 'PK\x03\x04'), 415],
    ['PDF', cat('%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF'), 415],
    ['BMP', cat('BM', randomBytes(100)), 415],
    ['SVG with script', cat('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 415],
    ['TIFF', cat('II*\0', randomBytes(100)), 415],
    ['HEIC', cat('\0\0\0\x18ftypheic', randomBytes(100)), 415],
    // DICOM is read now: a preamble and "DICM" with garbage after it is a corrupt DICOM, not an unknown type.
    ['DICOM', cat(new Uint8Array(128), 'DICM', randomBytes(100)), 422],
    ['ICO', cat('\0\0\x01\0', randomBytes(60)), 415],
  ];
  for (const [name, bytes, status] of polyglots) detect('polyglot', name, bytes, 'raw', status, 'image/png');

  const wrongTypes: Array<[string, string, BodyInit, number?]> = [
    ['PNG as text/plain', 'text/plain', src.png as Uint8Array<ArrayBuffer>, 415],
    ['PNG as application/json', 'application/json', src.png as Uint8Array<ArrayBuffer>, 415],
    ['PNG as form-urlencoded', 'application/x-www-form-urlencoded', src.png as Uint8Array<ArrayBuffer>, 415],
    ['PNG as text/html', 'text/html', src.png as Uint8Array<ArrayBuffer>, 415],
    ['PNG declared image/gif', 'image/gif', src.png as Uint8Array<ArrayBuffer>],
    ['JPEG declared image/png', 'image/png', src.jpeg as Uint8Array<ArrayBuffer>],
    ['JSON body as image/png', 'image/png', '{"file": "x"}', 415],
    ['multipart without boundary', 'multipart/form-data', src.png as Uint8Array<ArrayBuffer>],
    ['garbage content type', '\u00ff\u00fe/;;;=', src.png as Uint8Array<ArrayBuffer>],
    ['content type 2000 chars', `image/${'x'.repeat(2000)}`, 'hello'],
  ];
  for (const [name, type, body, status] of wrongTypes) cases.push({ kind: 'wrong content type', name, status, fetch: ['/detect', { method: 'POST', headers: { ...auth, 'content-type': type }, body }] });

  const b = 'XyZ';
  const part = (headers: string, body: string) => `--${b}\r\n${headers}\r\n\r\n${body}\r\n`;
  const brokenMultipart: Array<[string, string, string]> = [
    ['boundary mismatch', `multipart/form-data; boundary=${b}`, `--other\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nxx\r\n--other--\r\n`],
    ['unterminated', `multipart/form-data; boundary=${b}`, part('Content-Disposition: form-data; name="file"; filename="a.png"', 'abc')],
    ['preamble only', `multipart/form-data; boundary=${b}`, 'just some text'],
    ['no parts', `multipart/form-data; boundary=${b}`, `--${b}--\r\n`],
    ['part without headers', `multipart/form-data; boundary=${b}`, `--${b}\r\n\r\nabc\r\n--${b}--\r\n`],
    ['part without name', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; filename="a.png"', 'abc')}--${b}--\r\n`],
    ['missing CRLFs', `multipart/form-data; boundary=${b}`, `--${b}Content-Disposition: form-data; name="file"abc--${b}--`],
    ['nested multipart/mixed', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; name="file"\r\nContent-Type: multipart/mixed; boundary=inner', '--inner\r\n\r\nx\r\n--inner--')}--${b}--\r\n`],
    ['boundary 200 chars', `multipart/form-data; boundary=${'b'.repeat(200)}`, `--${'b'.repeat(200)}\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nxx\r\n--${'b'.repeat(200)}--\r\n`],
    ['2000 text fields', `multipart/form-data; boundary=${b}`, `${Array.from({ length: 2000 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"`, 'v')).join('')}--${b}--\r\n`],
    ['file field holds text', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; name="file"', 'not a file')}--${b}--\r\n`],
    ['path traversal filename + text', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: text/plain', 'root:x:0:0')}--${b}--\r\n`],
    ['wrong field name', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; name="image"; filename="a.png"', 'abc')}--${b}--\r\n`],
    ['two files', `multipart/form-data; boundary=${b}`, `${part('Content-Disposition: form-data; name="file"; filename="a"', 'a')}${part('Content-Disposition: form-data; name="file"; filename="b"', 'b')}--${b}--\r\n`],
    ['empty body', `multipart/form-data; boundary=${b}`, ''],
  ];
  for (const [name, type, body] of brokenMultipart) cases.push({ kind: 'broken multipart', name, fetch: ['/detect', { method: 'POST', headers: { ...auth, 'content-type': type }, body }] });

  const json = (path: string, body: string, type = 'application/json') => ({ method: 'POST', headers: { 'content-type': type }, body });
  const badJson: Array<[string, string, string?]> = [
    ['empty', ''], ['open brace', '{'], ['array', '[]'], ['null', 'null'], ['number', '1'], ['string', '"x"'],
    ['nulls', '{"email":null,"password":null}'], ['trailing comma', '{"email":"a@b.co","password":"12345678",}'],
    ['NaN', '{"email":"a@b.co","password":NaN}'], ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['deep object nesting', `{"email":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`],
    ['over-long (100 KB)', JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(100_000) })],
    ['over-long (17 KB of padding)', JSON.stringify({ email: 'a@b.co', password: 'correct horse battery', pad: 'x'.repeat(17_000) })],
    ['password 10 000 chars', JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(10_000) })],
    ['email 5000 chars', JSON.stringify({ email: `${'a'.repeat(5000)}@b.co`, password: 'correct horse battery' })],
    ['unicode garbage email', JSON.stringify({ email: '\u202e\u0000\ud83d@\u00ff', password: 'correct horse battery' })],
    ['prototype pollution', '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
    ['BOM prefix', '\ufeff{"email":"a@b.co","password":"12345678"'],
    ['form-encoded', 'email=a@b.co&password=correct+horse', 'application/x-www-form-urlencoded'],
    ['JSON as text/plain', '{"email":"a@b.co","password":"correct horse battery"}', 'text/plain'],
    ['no content type', '{"email":"a@b.co","password":"correct horse battery"}', ''],
    ['multipart to a JSON route', `--${b}\r\n\r\n--${b}--`, `multipart/form-data; boundary=${b}`],
  ];
  for (const path of ['/authorization', '/api/auth/login', '/api/auth/register']) {
    for (const [name, body, type] of badJson) cases.push({ kind: 'malformed JSON', name: `${path}: ${name}`, fetch: [path, json(path, body, type ?? 'application/json')] });
  }

  const tokens: Array<[string, Record<string, string>]> = [
    ['10 KB auth-token', { 'auth-token': 'a'.repeat(10_000) }],
    ['12 KB Bearer', { authorization: `Bearer ${'b'.repeat(12_000)}` }],
    ['tampered token', { 'auth-token': token.slice(0, -2) + (token.endsWith('aa') ? 'bb' : 'aa') }],
    ['token with spaces', { 'auth-token': `${token.slice(0, 10)} ${token.slice(10)}` }],
    ['Bearer alone', { authorization: 'Bearer' }],
    ['Basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['latin-1 token', { 'auth-token': '\u00e9\u00e8\u00ff'.repeat(100) }],
    ['SQL in token', { 'auth-token': "' or 1=1 --" }],
    ['200 cookies', { cookie: Array.from({ length: 200 }, (_, i) => `c${i}=${'v'.repeat(20)}`).join('; ') }],
    ['oversize session cookie', { cookie: `bigbrain_session=${'z'.repeat(8000)}` }],
  ];
  for (const [name, headers] of tokens) {
    // A cookie on a write without Origin is refused as cross-site (403) before the token is looked at.
    cases.push({ kind: 'oversize/invalid token', name: `${name} → /detect`, status: headers.cookie?.startsWith('bigbrain_session=') ? 403 : 401, fetch: ['/detect', { method: 'POST', headers: { ...headers, 'content-type': 'image/png' }, body: src.png as Uint8Array<ArrayBuffer> }] });
    cases.push({ kind: 'oversize/invalid token', name: `${name} → /api/me`, status: 401, fetch: ['/api/me', { headers }] });
  }

  const post = (path: string, headers: string, body = '') => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n${body}`;
  const rawCases: Array<[string, string | Uint8Array, number?]> = [
    ['20 KB header', post('/health', `X-Big: ${'x'.repeat(20_000)}\r\n`), 431],
    ['64 KB cookie', post('/api/me', `Cookie: bigbrain_session=${'x'.repeat(65_000)}\r\n`), 431],
    ['negative Content-Length', post('/authorization', 'Content-Type: application/json\r\nContent-Length: -1\r\n', '{}'), 400],
    ['non-numeric Content-Length', post('/authorization', 'Content-Length: abc\r\n', '{}'), 400],
    ['two different Content-Lengths', post('/authorization', 'Content-Length: 2\r\nContent-Length: 5\r\n', '{}'), 400],
    ['Content-Length and chunked', post('/authorization', 'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400],
    ['unknown Transfer-Encoding', post('/authorization', 'Transfer-Encoding: gzip, chunked, x\r\n', '0\r\n\r\n'), 400],
    ['bad chunk size', post('/authorization', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n'), 400],
    ['garbage request line', 'HELLO WORLD\r\n\r\n', 400],
    ['HTTP/9.9', 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n', 400],
    ['no Host header', 'GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n', 404],
    ['header without colon', post('/health', 'NoColonHere\r\n'), 400],
    ['control character in header', post('/health', 'X-A: a\x01b\r\n'), 400],
    ['NUL in the path', 'GET /he\0alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['10 KB path', `GET /${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 404],
    ['Expect: 100-continue then nothing', post('/detect', `auth-token: ${token}\r\nContent-Type: image/png\r\nContent-Length: 0\r\nExpect: 100-continue\r\n`), 400],
  ];
  for (const [name, raw, status] of rawCases) cases.push({ kind: 'absurd headers / broken HTTP', name, raw, status });

  const routes: Array<[string, string, RequestInit?]> = [
    ['PUT /detect', '/detect', { method: 'PUT', headers: auth, body: 'x' }],
    ['GET /detect', '/detect', { headers: auth }],
    ['DELETE /authorization', '/authorization', { method: 'DELETE' }],
    ['PATCH /api/me', '/api/me', { method: 'PATCH', headers: auth, body: '{}' }],
    ['GET /api/detections?limit=-1', '/api/detections?limit=-1', { headers: auth }],
    ['GET /api/detections?limit=1e9', '/api/detections?limit=1000000000', { headers: auth }],
    ['GET /api/detections?cursor=garbage', `/api/detections?cursor=${'%ff'.repeat(50)}`, { headers: auth }],
    ['path traversal', '/%2e%2e/%2e%2e/etc/passwd'],
    ['bad percent-encoding', '/%E0%A4%A'],
    ['POST /api/detections, wrong shape', '/api/detections', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ id: '../x', result: 1 }) }],
  ];
  for (const [name, path, init] of routes) cases.push({ kind: 'wrong method / route', name, fetch: [path, init ?? {}] });
  return cases;
}

interface Outcome { status: number; json: boolean; error?: string }

async function run(c: Case): Promise<Outcome> {
  try {
    if (c.raw !== undefined) {
      const res = await rawRequest(server.port, c.raw);
      let json = false;
      try { const b = JSON.parse(res.body) as { error?: unknown; code?: unknown }; json = typeof b.error === 'string' && typeof b.code === 'string'; } catch { /* not JSON */ }
      return { status: res.status, json: json && /application\/json/.test(res.headers['content-type'] ?? '') };
    }
    const [path, init] = c.fetch!;
    const res = await fetch(`${server.url}${path}`, init);
    const text = await res.text();
    let json = false;
    try { const b = JSON.parse(text) as { error?: unknown; code?: unknown }; json = typeof b.error === 'string' && typeof b.code === 'string'; } catch { /* not JSON */ }
    return { status: res.status, json: json && /application\/json/.test(res.headers.get('content-type') ?? '') };
  } catch (err) {
    return { status: 0, json: false, error: String(err) };
  }
}

describe('a generated corpus of malformed requests', () => {
  it('gets a JSON 4xx for every one, never a 5xx, and /health still answers', async () => {
    const cases = await corpus();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    const byStatus = new Map<number, number>();
    const byKind = new Map<string, number>();
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += 8) {
      const batch = cases.slice(i, i + 8);
      const outcomes = await Promise.all(batch.map(run));
      batch.forEach((c, j) => {
        const o = outcomes[j]!;
        byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
        byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
        const ok = o.status >= 400 && o.status < 500 && o.json && (c.status === undefined || c.status === o.status);
        if (!ok) failures.push(`${c.kind} / ${c.name}: ${o.status}${o.json ? '' : ' (not JSON {error, code})'}${c.status ? ` (expected ${c.status})` : ''}${o.error ? ` ${o.error}` : ''}`);
      });
    }
    const health = await fetch(`${server.url}/health`);
    const fivexx = [...byStatus].filter(([s]) => s >= 500).reduce((n, [, k]) => n + k, 0);
    console.log([
      `[bad input] ${cases.length} malformed requests tried; 5xx: ${fivexx}; not a JSON 4xx: ${failures.length}; /health afterwards: ${health.status}`,
      `  by status: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(', ')}`,
      `  by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`,
    ].join('\n'));
    expect(failures).toEqual([]);
    expect(fivexx).toBe(0);
    expect(health.status).toBe(200);
  }, 120_000);
});

describe('the body limit', () => {
  it.each([
    ['a raw image', 'image/png', ''],
    ['a multipart form (read by detect/read-upload.ts, not undici)', 'multipart/form-data; boundary=zz', '--zz\r\nContent-Disposition: form-data; name="File"; filename="a.png"\r\n\r\n'],
  ])('answers 413 to a streamed body (no Content-Length) before it has been sent whole: %s', async (_, type, head) => {
    const total = 64 * 1024 * 1024;
    const chunk = new Uint8Array(64 * 1024);
    const { status, sent, body } = await new Promise<{ status: number; sent: number; body: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = httpRequest(`${server.url}/detect`, { method: 'POST', headers: { 'auth-token': token, 'content-type': type, 'transfer-encoding': 'chunked' } }, (res) => {
        answered = true;
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => { resolve({ status: res.statusCode!, sent, body }); req.destroy(); });
      });
      req.on('error', (err) => { if (!answered) reject(err); });
      if (head) req.write(head);
      const pump = () => {
        while (!answered && sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!answered) req.end();
      };
      pump();
    });
    console.log(`[bad input] streamed body: 413 after ${(sent / 1024 / 1024).toFixed(1)} MiB of a ${total / 1024 / 1024} MiB body (limit ${BODY_LIMIT / 1024 / 1024} MiB)`);
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ code: 'too_large' });
    expect(sent).toBeLessThan(total / 4);
  });

  it('answers 400 to over-long JSON on the credential routes, streamed or not', async () => {
    const long = JSON.stringify({ email: 'a@b.co', password: 'correct horse battery', pad: 'x'.repeat(20_000) });
    const plain = await fetch(`${server.url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: long });
    const streamed = await fetch(`${server.url}/authorization`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, duplex: 'half',
      body: new ReadableStream({ start(ctrl) { ctrl.enqueue(new TextEncoder().encode(long)); ctrl.close(); } }),
    } as RequestInit);
    for (const res of [plain, streamed]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(/over 16384 bytes/) });
    }
  });
});

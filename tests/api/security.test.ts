// Issue 6, abuse: each rate limit fires with Retry-After and releases after its window (injected clock),
// failed-login counts shared by two instances through the database (on every driver), unknown emails and
// wrong passwords take the same path (counted verifications), tokens that must stop working, logout
// everywhere, the cross-site check on cookie-authenticated writes, and the security headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argon2Passwords, type Passwords } from '../../api/auth/password.ts';
import type { Config, Limits } from '../../api/config.ts';
import { CONTENT_SECURITY_POLICY } from '../../api/headers.ts';
import type { Db } from '../../api/db/types.ts';
import { dbCounter } from '../../api/limits/db-counter.ts';
import { drivers } from './drivers.ts';
import { expectErrorShape, makeApp, postJson, testConfig, uniqueEmail, type TestApp } from './helpers.ts';
import { greyPng } from './images.ts';

const PASSWORD = 'correct horse battery';
const limits = (over: Partial<Limits> = {}): Limits => ({
  loginPerEmailIp: { max: 3, windowMs: 60_000 },
  loginPerEmail: { max: 5, windowMs: 120_000 },
  loginPerIp: { max: 8, windowMs: 300_000 },
  detectPerUser: { max: 2, windowMs: 10_000 },
  ...over,
});
const config = (over: Partial<Config> = {}) => testConfig({ trustProxy: true, limits: limits(), ...over });

/** Counts every hash verification the app makes. */
function countingPasswords(): Passwords & { verifications: number } {
  const p = {
    verifications: 0,
    hash: argon2Passwords.hash,
    async verify(stored: string, password: string) {
      p.verifications++;
      return argon2Passwords.verify(stored, password);
    },
  };
  return p;
}

const login = (app: TestApp, email: string, password: string, ip: string, path = '/api/auth/login') =>
  postJson(app, path, { email, password }, { 'x-forwarded-for': ip });

async function expectLimited(res: Response, code: string, retryAfter: number) {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
  const body = await res.json();
  expectErrorShape(body);
  expect(body.code).toBe(code);
}

describe.each(drivers)('failed-login limits on $name (two instances, one database)', (driver) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let clock = Date.UTC(2026, 0, 1);
  let a: TestApp;
  let b: TestApp;
  const passwords = countingPasswords();

  beforeAll(async () => {
    ({ db, dispose } = await driver.open());
    const now = () => new Date(clock);
    a = makeApp(db, { config: config(), now, passwords });
    b = makeApp(db, { config: config(), now, passwords });
  });
  afterAll(() => dispose());

  it('per (email, address): locks that pair, not the user elsewhere, and releases after the window', async () => {
    const email = uniqueEmail();
    expect((await postJson(a, '/api/auth/register', { email, password: PASSWORD })).status).toBe(201);
    for (const app of [a, b, a]) expect((await login(app, email, 'wrong password!', '10.0.0.1')).status).toBe(401);
    const before = passwords.verifications;
    await expectLimited(await login(b, email, PASSWORD, '10.0.0.1'), 'too_many_attempts', 60);
    await expectLimited(await login(a, email, PASSWORD, '10.0.0.1', '/authorization'), 'too_many_attempts', 60);
    expect(passwords.verifications, 'a limited attempt costs no hash').toBe(before);
    expect((await login(a, email, PASSWORD, '10.0.0.2')).status, 'the user from another address').toBe(200);
    clock += 30_000;
    await expectLimited(await login(b, email, PASSWORD, '10.0.0.1'), 'too_many_attempts', 30);
    clock += 30_000;
    expect((await login(b, email, PASSWORD, '10.0.0.1')).status, 'released after the window').toBe(200);
    console.log(`[limits] ${driver.name}: per (email, address) 3 fails/60 s → 429 Retry-After 60, released at +60 s`);
  });

  it('per email (looser, any address): bounds a guesser that rotates addresses, then releases', async () => {
    const email = uniqueEmail();
    expect((await postJson(a, '/api/auth/register', { email, password: PASSWORD })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await login(i % 2 ? a : b, email, 'wrong password!', `10.1.0.${i}`)).status).toBe(401);
    await expectLimited(await login(a, email, PASSWORD, '10.1.1.1'), 'too_many_attempts', 120);
    clock += 120_000;
    expect((await login(a, email, PASSWORD, '10.1.1.1')).status).toBe(200);
    console.log(`[limits] ${driver.name}: per email 5 fails/120 s from 5 addresses → 429 Retry-After 120, released at +120 s`);
  });

  it('per address (any email): stops credential stuffing, then releases', async () => {
    for (let i = 0; i < 8; i++) expect((await login(i % 2 ? a : b, uniqueEmail(), PASSWORD, '10.2.0.1')).status).toBe(401);
    await expectLimited(await login(a, uniqueEmail(), PASSWORD, '10.2.0.1'), 'too_many_attempts', 300);
    expect((await login(a, uniqueEmail(), PASSWORD, '10.2.0.2')).status, 'another address').toBe(401);
    clock += 300_000;
    expect((await login(b, uniqueEmail(), PASSWORD, '10.2.0.1')).status).toBe(401);
    console.log(`[limits] ${driver.name}: per address 8 fails/300 s over 8 emails → 429 Retry-After 300, released at +300 s`);
  });

  it('sweeps expired counters: the table does not grow without bound', async () => {
    const counter = dbCounter(db, { sweepEvery: 4 });
    const limit = { max: 5, windowMs: 1000 };
    const t0 = new Date(clock);
    for (const k of ['sweep-a', 'sweep-b', 'sweep-c']) await counter.hit(k, limit, t0);
    const t1 = new Date(clock + 2000);
    const expired = async () => (await db.query<{ n: number }>('select count(*)::int as n from rate_limits where reset_at <= $1', [t1]))[0]!.n;
    expect(await expired()).toBeGreaterThanOrEqual(3);
    await counter.hit('sweep-d', limit, t1); // the 4th hit sweeps before counting
    expect(await expired()).toBe(0);
  });
});

describe('abuse, tokens and headers (PGlite)', () => {
  let db: Db;
  let dispose: () => Promise<void>;
  let clock = Date.UTC(2026, 0, 1);
  let app: TestApp;
  const passwords = countingPasswords();

  beforeAll(async () => {
    ({ db, dispose } = await drivers[0]!.open());
    app = makeApp(db, { config: config(), now: () => new Date(clock), passwords });
  });
  afterAll(() => dispose());

  const register = async (email = uniqueEmail()) => {
    const res = await postJson(app, '/api/auth/register', { email, password: PASSWORD });
    expect(res.status).toBe(201);
    const { accessToken } = (await res.json()) as { accessToken: string };
    return { email, token: accessToken };
  };

  it('/detect per user: 429 rate_limited with Retry-After, per user, released after the window', async () => {
    const { token } = await register();
    const { token: other } = await register();
    const png = (await greyPng(64, 64)).data;
    const detect = (t: string) => app.request('/detect', { method: 'POST', headers: { 'auth-token': t, 'content-type': 'image/png' }, body: png });
    expect((await detect(token)).status).toBe(200);
    expect((await detect(token)).status).toBe(200);
    await expectLimited(await detect(token), 'rate_limited', 10);
    expect((await detect(other)).status, 'another user').toBe(200);
    clock += 4_000;
    await expectLimited(await detect(token), 'rate_limited', 6);
    clock += 6_000;
    expect((await detect(token)).status).toBe(200);
    console.log('[limits] /detect per user 2/10 s → 429 Retry-After 10, released at +10 s');
  });

  it('limits can be switched off (max 0)', async () => {
    const open = makeApp(db, { config: config({ limits: limits({ loginPerEmailIp: { max: 0, windowMs: 1000 }, loginPerEmail: { max: 0, windowMs: 1000 }, loginPerIp: { max: 0, windowMs: 1000 }, detectPerUser: { max: 0, windowMs: 1000 } }) }), now: () => new Date(clock) });
    const email = uniqueEmail();
    for (let i = 0; i < 10; i++) expect((await login(open, email, PASSWORD, '10.9.9.9')).status).toBe(401);
  });

  it('unknown emails and wrong passwords take the same path: one verification each, the same 401', async () => {
    const { email } = await register();
    const answers = [];
    for (const [who, password] of [[email, 'wrong password!'], [uniqueEmail(), PASSWORD]] as const) {
      const before = passwords.verifications;
      const res = await login(app, who, password, '10.3.0.1');
      answers.push({ status: res.status, body: await res.json(), verifications: passwords.verifications - before });
    }
    expect(answers[0]).toEqual({ status: 401, body: { error: 'Wrong email or password.', code: 'invalid_credentials' }, verifications: 1 });
    expect(answers[1], JSON.stringify(answers)).toEqual(answers[0]);
    console.log(`[tokens] login: wrong password → ${answers[0]!.verifications} verification, unknown email → ${answers[1]!.verifications} verification (dummy hash), same 401 body`);
  });

  it('tampered, expired, revoked and deleted-user tokens → 401 invalid_token', async () => {
    const me = (t: string) => app.request('/api/me', { headers: { 'auth-token': t } });
    const expect401 = async (t: string, why: string) => {
      const res = await me(t);
      expect(res.status, why).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'invalid_token' });
    };
    const { token } = await register();
    expect((await me(token)).status).toBe(200);
    const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    await expect401(flipped, 'tampered');
    await expect401(token.toUpperCase(), 'case-changed');
    await expect401(token + 'a', 'extended');
    await expect401('a'.repeat(10_000), 'oversize');

    const start = clock;
    clock += 31 * 86_400_000;
    await expect401(token, 'expired');
    clock = start;

    const revoked = await register();
    expect((await app.request('/api/auth/logout', { method: 'POST', headers: { 'auth-token': revoked.token } })).status).toBe(204);
    await expect401(revoked.token, 'revoked');

    const deleted = await register();
    await db.query('delete from users where email = $1', [deleted.email]);
    await expect401(deleted.token, 'deleted user');
  });

  it('logout everywhere revokes every session of the user, and only theirs', async () => {
    const { email, token } = await register();
    const second = ((await (await login(app, email, PASSWORD, '10.4.0.1')).json()) as { accessToken: string }).accessToken;
    const bystander = await register();
    const res = await app.request('/api/auth/logout-all', { method: 'POST', headers: { authorization: `Bearer ${second}` } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/bigbrain_session=;/);
    for (const t of [token, second]) expect((await app.request('/api/me', { headers: { 'auth-token': t } })).status).toBe(401);
    expect((await app.request('/api/me', { headers: { 'auth-token': bystander.token } })).status).toBe(200);
  });

  it('cookie-authenticated writes need the same origin → else 403 cross_site', async () => {
    const { token } = await register();
    const cookie = `bigbrain_session=${token}`;
    const write = async (headers: Record<string, string>, url = 'http://localhost/api/detections') =>
      app.request(url, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' });
    const refused: Array<Record<string, string>> = [
      {},
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'http://localhost.evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://sub.localhost' },
    ];
    for (const headers of refused) {
      const res = await write(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'cross_site' });
    }
    // Allowed through the check (then 400: the body '{}' is not a detection).
    const allowed: Array<[Record<string, string>, string?]> = [
      [{ origin: 'http://localhost' }],
      [{ 'sec-fetch-site': 'same-origin' }],
      [{ origin: 'https://bigbrain.example', 'x-forwarded-proto': 'https', host: 'bigbrain.example' }, 'http://bigbrain.example/api/detections'],
    ];
    for (const [headers, url] of allowed) expect((await write(headers, url)).status, JSON.stringify(headers)).toBe(400);
    // Header tokens are not sent by browsers on their own: no Origin needed. Cookie reads need none either.
    expect((await app.request('/api/detections', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'application/json' }, body: '{}' })).status).toBe(400);
    expect((await app.request('/api/detections', { headers: { cookie } })).status).toBe(200);
    const logout = await app.request('/api/auth/logout-all', { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
    expect(logout.status).toBe(403);
    expect((await app.request('/api/me', { headers: { cookie } })).status, 'the refused logout did nothing').toBe(200);
  });

  it('sends the security headers on every response; HSTS only over HTTPS', async () => {
    const { token } = await register();
    const responses = {
      json: await app.request('/health'),
      error: await app.request('/nope'),
      unauthorized: await app.request('/api/me'),
      limited: await app.request('/api/me', { headers: { 'auth-token': token } }),
      https: await app.request('https://bigbrain.example/health'),
      forwarded: await app.request('/health', { headers: { 'x-forwarded-proto': 'https' } }),
    };
    for (const [name, res] of Object.entries(responses)) {
      expect(res.headers.get('content-security-policy'), name).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('cross-origin-opener-policy'), name).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy'), name).toBe('require-corp');
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security'), name).toBe(name === 'https' || name === 'forwarded' ? 'max-age=31536000; includeSubDomains' : null);
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-inline'");
  });
});

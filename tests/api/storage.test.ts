// Accounts, sessions and detections on every database driver: PGlite, and the Neon driver against a real
// PostgreSQL when TEST_POSTGRES_URL is set (see drivers.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdOf } from '../../api/auth/token.ts';
import { migrate, readMigrations } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { drivers } from './drivers.ts';
import { greyPng } from './images.ts';
import { expectErrorShape, makeApp, postJson, signUp, uniqueEmail, type TestApp } from './helpers.ts';

const DAY = 86_400_000;

const device = (id: string, minutesAgo: number) => ({
  id,
  createdAt: new Date(Date.UTC(2026, 0, 1) - minutesAgo * 60_000).toISOString(),
  result: 'No Tumor',
  label: 'notumor',
  probabilities: { glioma: 0.01, meningioma: 0.02, pituitary: 0.03, notumor: 0.94 },
  tumorProbability: 0.06,
  uncertain: false,
  model: { name: 'bigbrain-cnn', version: '1.0.0' },
  imageSha256: 'a'.repeat(64),
  ms: 12.5,
});

describe.each(drivers)('storage on $name', (driver) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let clock = Date.now();
  let app: TestApp;

  beforeAll(async () => {
    ({ db, dispose } = await driver.open());
    app = makeApp(db, { now: () => new Date(clock) });
  });
  afterAll(() => dispose());

  it('applies migrations once', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: number }>('select version from schema_migrations order by version');
    expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
  });

  it('registers, rejects a second registration, logs in, rejects a wrong password', async () => {
    const email = uniqueEmail();
    const reg = await postJson(app, '/api/auth/register', { email, password: 'correct horse battery' });
    expect(reg.status).toBe(201);
    expect(await reg.json()).toMatchObject({ accessToken: expect.any(String), user: { email } });
    const dup = await postJson(app, '/api/auth/register', { email: email.toUpperCase(), password: 'correct horse battery' });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ code: 'email_taken' });
    expect((await postJson(app, '/api/auth/login', { email, password: 'correct horse battery' })).status).toBe(200);
    const wrong = await postJson(app, '/api/auth/login', { email, password: 'wrong horse battery' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });
    const unknown = await postJson(app, '/api/auth/login', { email: uniqueEmail(), password: 'correct horse battery' });
    expect(unknown.status).toBe(401);
    const [row] = await db.query<{ password_hash: string }>('select password_hash from users where email = $1', [email]);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('stores only the SHA-256 of session tokens', async () => {
    const { token } = await signUp(app);
    const rows = await db.query<{ id: string }>('select id from sessions');
    expect(rows.some((r) => r.id === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id))).toBe(true);
  });

  it('lets exactly one of two concurrent sign-ups of one email create the account', async () => {
    const email = uniqueEmail();
    const viaRegister = await Promise.all([1, 2, 3].map(() => postJson(app, '/api/auth/register', { email, password: 'correct horse battery' })));
    expect(viaRegister.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const other = uniqueEmail();
    const viaAuthorization = await Promise.all([1, 2].map(() => postJson(app, '/authorization', { email: other, password: 'correct horse battery' })));
    expect(viaAuthorization.map((r) => r.status)).toEqual([200, 200]);
    const [count] = await db.query<{ n: number }>('select count(*)::int as n from users where email in ($1, $2)', [email, other]);
    expect(count?.n).toBe(2);
  });

  it('expires sessions after 30 days, renews them when used in their second half', async () => {
    const { token } = await signUp(app);
    const me = () => app.request('/api/me', { headers: { 'auth-token': token } });
    const expiry = async () => (await db.query<{ expires_at: Date }>('select expires_at from sessions where id = $1', [sessionIdOf(token)]))[0]!.expires_at;
    const start = clock;
    const first = new Date(await expiry()).getTime();
    expect(first - start).toBe(30 * DAY);
    clock = start + 10 * DAY; // first half: no renewal
    expect((await me()).status).toBe(200);
    expect(new Date(await expiry()).getTime()).toBe(first);
    clock = start + 20 * DAY; // second half: renewed to 30 days from now
    expect((await me()).status).toBe(200);
    expect(new Date(await expiry()).getTime()).toBe(clock + 30 * DAY);
    clock += 30 * DAY + 1; // past the renewed expiry
    const res = await me();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'invalid_token' });
    clock = start;
  });

  it('revokes the session at logout (token and cookie both stop working)', async () => {
    const { token } = await signUp(app);
    const logout = await app.request('/api/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/bigbrain_session=;/);
    for (const headers of [{ 'auth-token': token }, { cookie: `bigbrain_session=${token}` }] as Record<string, string>[]) {
      const res = await app.request('/api/me', { headers });
      expect(res.status).toBe(401);
      expectErrorShape(await res.json());
    }
  });

  it('stores device detections idempotently by client id', async () => {
    const { token } = await signUp(app);
    const auth = { 'auth-token': token };
    const first = await postJson(app, '/api/detections', device('c-1', 0), auth);
    expect(first.status).toBe(201);
    const stored = await first.json();
    expect(stored).toMatchObject({ clientId: 'c-1', source: 'device', label: 'notumor', imageSha256: 'a'.repeat(64) });
    const again = await postJson(app, '/api/detections', { ...device('c-1', 0), label: 'glioma' }, auth);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(stored);
    // The PWA's upload shape (extra fields such as clientId/source are ignored) is accepted.
    const pwa = await postJson(app, '/api/detections', { ...device('c-3', 0), clientId: 'c-3', source: 'device' }, auth);
    expect(pwa.status).toBe(201);
    const bad = await postJson(app, '/api/detections', { ...device('c-2', 0), imageSha256: 'nope' }, auth);
    expect(bad.status).toBe(400);
    expectErrorShape(await bad.json());
  });

  it('stores what a device sends byte for byte, quotes, backslashes and unicode included, and refuses what text cannot hold', async () => {
    const { token } = await signUp(app);
    const auth = { 'auth-token': token };
    const model = { name: "x'); drop table detections; --\\ 'E' \\' 東京 🧠", version: "1.0.0\\'b" };
    const createdAt = '2031-07-04T23:59:58.123Z';
    const sent = await postJson(app, '/api/detections', { ...device('h-1', 0), model, createdAt }, auth);
    expect(sent.status).toBe(201);
    const listed = (await (await app.request('/api/detections', { headers: auth })).json()) as { items: Array<Record<string, unknown>> };
    expect(listed.items.find((d) => d.clientId === 'h-1')).toMatchObject({ model, createdAt });
    for (const [what, body] of [
      ['a NUL in the model name', { ...device('h-2', 0), model: { ...model, name: 'a\0b' } }],
      ['a NUL in the model version', { ...device('h-3', 0), model: { ...model, version: '1\0' } }],
      ['year 0000', { ...device('h-4', 0), createdAt: '0000-06-01T00:00:00Z' }],
      ['year 1999', { ...device('h-5', 0), createdAt: '1999-12-31T23:59:59Z' }],
    ] as const) {
      const res = await postJson(app, '/api/detections', body, auth);
      expect(res.status, what).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_request' });
    }
  });

  it('stores a "Not a brain MRI" verdict with no label, probabilities or P(tumour), and refuses one that carries them', async () => {
    const { token } = await signUp(app);
    const auth = { 'auth-token': token };
    const refusal = { ...device('r-1', 0), result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null };
    const stored = await postJson(app, '/api/detections', refusal, auth);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ clientId: 'r-1', result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, uncertain: false });
    const listed = (await (await app.request('/api/detections', { headers: auth })).json()) as { items: Array<Record<string, unknown>> };
    expect(listed.items.find((d) => d.clientId === 'r-1')).toMatchObject({ label: null, probabilities: null, tumorProbability: null });
    for (const [what, body] of [
      ['a label', { ...refusal, id: 'r-2', label: 'meningioma' }],
      ['a P(tumour)', { ...refusal, id: 'r-3', tumorProbability: 0.909 }],
      ['probabilities', { ...refusal, id: 'r-4', probabilities: device('x', 0).probabilities }],
      ['"uncertain"', { ...refusal, id: 'r-5', uncertain: true }],
      ['a diagnosis without a label', { ...device('r-6', 0), label: null }],
    ] as const) {
      const res = await postJson(app, '/api/detections', body, auth);
      expect(res.status, what).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'invalid_request' });
    }
    // The database holds the rule too, whatever writes to it.
    await expect(db.query(`update detections set label = 'glioma' where client_id = 'r-1'`)).rejects.toThrow(/detections_refusal_no_diagnosis/);
  });

  it('pages the caller’s own history newest first, and only theirs', async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    for (let i = 0; i < 7; i++) {
      expect((await postJson(app, '/api/detections', device(`a-${i}`, i), { 'auth-token': alice.token })).status).toBe(201);
    }
    await postJson(app, '/api/detections', device('b-0', 0), { 'auth-token': bob.token });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const res = await app.request(`/api/detections${qs}`, { headers: { 'auth-token': alice.token } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Array<{ clientId: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((d) => d.clientId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6']);
    for (const qs of ['?limit=0', '?limit=101', '?limit=x', '?cursor=garbage']) {
      const res = await app.request(`/api/detections${qs}`, { headers: { 'auth-token': alice.token } });
      expect(res.status, qs).toBe(400);
      expectErrorShape(await res.json());
    }
  });

  it('records server detections with the image hash, never the image', async () => {
    const { token } = await signUp(app);
    const body = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(64)]);
    // Not a decodable PNG: nothing is stored for it.
    expect((await app.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body })).status).toBe(422);
    const { data } = await greyPng();
    const res = await app.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'image/png' }, body: data });
    expect(res.status).toBe(200);
    const list = (await (await app.request('/api/detections', { headers: { 'auth-token': token } })).json()) as { items: Array<Record<string, unknown>> };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ source: 'server', imageSha256: expect.stringMatching(/^[0-9a-f]{64}$/), clientId: null });
    const columns = await db.query<{ column_name: string; data_type: string }>(
      "select column_name, data_type from information_schema.columns where table_name = 'detections'");
    expect(columns.some((c) => c.data_type === 'bytea')).toBe(false);
  });

  it('answers /health after checking the database', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ database: db.driver });
  });
});

describe('migration 003: refused images keep no diagnosis', () => {
  it('clears what older rows stored for "Not a brain MRI", keeps diagnoses, then enforces the rule', async () => {
    const db = await openPglite();
    try {
      await migrate(db, readMigrations().filter((m) => m.version < 3));
      const [user] = await db.query<{ id: string }>(`insert into users (email, password_hash) values ('old@example.com', 'x') returning id`);
      const insert = (clientId: string, result: string, label: string) => db.query(
        `insert into detections (user_id, client_id, source, model_name, model_version, result, label, probabilities, tumor_probability, uncertain)
         values ($1, $2, 'device', 'bigbrain-cnn', '1.1.0', $3, $4, '{"glioma":0.1,"meningioma":0.8,"pituitary":0,"notumor":0.1}', 0.9, false)`,
        [user!.id, clientId, result, label]);
      await insert('old-refusal', 'Not a brain MRI', 'meningioma');
      await insert('old-tumour', 'Tumor', 'meningioma');
      // Every migration from 003 on runs over the old rows (later ones too, whatever they add).
      expect(await migrate(db)).toEqual(readMigrations().filter((m) => m.version >= 3).map((m) => m.name));
      const rows = await db.query<{ client_id: string; label: string | null; probabilities: unknown; tumor_probability: number | null }>(
        'select client_id, label, probabilities, tumor_probability from detections order by client_id');
      expect(rows).toEqual([
        { client_id: 'old-refusal', label: null, probabilities: null, tumor_probability: null },
        { client_id: 'old-tumour', label: 'meningioma', probabilities: expect.objectContaining({ meningioma: 0.8 }), tumor_probability: 0.9 },
      ]);
      await expect(insert('new-refusal', 'Not a brain MRI', 'glioma')).rejects.toThrow(/detections_refusal_no_diagnosis/);
      // Migration 004: "Outside validated use" (a DICOM slice outside the validated scope) holds no diagnosis either.
      await expect(insert('new-outside', 'Outside validated use', 'glioma')).rejects.toThrow(/detections_refusal_no_diagnosis/);
      await db.query(
        `insert into detections (user_id, client_id, source, model_name, model_version, result, label, probabilities, tumor_probability, uncertain)
         values ($1, 'outside', 'server', 'bigbrain-cnn', '1.2.0', 'Outside validated use', null, null, null, false)`, [user!.id]);
    } finally {
      await db.close();
    }
  });
});

// The same contract over real HTTP on an ephemeral port (Node server, real fetch, real multipart, cookies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { listen, type Listening } from '../../api/listen.ts';
import { makeApp, uniqueEmail } from './helpers.ts';
import { greyPng } from './images.ts';

let db: Db;
let server: Listening;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  server = await listen(makeApp(db).fetch);
});
afterAll(async () => {
  await server.close();
  await db.close();
});

const post = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, { method: 'POST', ...init });

describe('over HTTP', () => {
  it('registers with /authorization, detects with auth-token, lists history with the cookie, logs out', async () => {
    const email = uniqueEmail();
    const auth = await post('/authorization', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) });
    expect(auth.status).toBe(200);
    const { accessToken } = (await auth.json()) as { accessToken: string };
    const cookie = auth.headers.getSetCookie()[0]!.split(';')[0]!;

    const form = new FormData();
    form.set('file', new Blob([(await greyPng()).data], { type: 'image/png' }), 'scan.png');
    const detect = await post('/detect', { headers: { 'auth-token': accessToken }, body: form });
    expect(detect.status).toBe(200);
    expect(detect.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await detect.json()).toMatchObject({ result: 'Tumor', label: 'glioma' });

    const history = await fetch(`${server.url}/api/detections`, { headers: { cookie } });
    expect(history.status).toBe(200);
    expect(((await history.json()) as { items: unknown[] }).items).toHaveLength(1);

    const crossSite = await post('/api/auth/logout', { headers: { cookie, origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ code: 'cross_site' });
    expect((await post('/api/auth/logout', { headers: { cookie, origin: server.url } })).status).toBe(204);
    const after = await fetch(`${server.url}/api/me`, { headers: { 'auth-token': accessToken } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'invalid_token' });
  });

  it('answers JSON errors (never 5xx) to broken requests', async () => {
    const cases: Array<[string, RequestInit]> = [
      ['/authorization', { body: '{"email":' , headers: { 'content-type': 'application/json' } }],
      ['/authorization', { body: 'x'.repeat(10_000), headers: { 'content-type': 'application/json' } }],
      ['/detect', { body: 'x', headers: { 'auth-token': 'y' } }],
      ['/api/detections', { body: '[]', headers: { 'content-type': 'application/json' } }],
    ];
    for (const [path, init] of cases) {
      const res = await post(path, init);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.json()).toMatchObject({ error: expect.any(String), code: expect.any(String) });
    }
  });
});

describe('database down', () => {
  it('answers 503 database_unavailable, not a bare 500', async () => {
    const down = await openPglite();
    await migrate(down);
    const app = makeApp(down);
    const auth = await app.request('/authorization', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: uniqueEmail(), password: 'correct horse battery' }) });
    const { accessToken } = (await auth.json()) as { accessToken: string };
    await down.close();
    for (const [path, init] of [['/health', {}], ['/api/me', { headers: { 'auth-token': accessToken } }]] as const) {
      const res = await app.request(path, init);
      expect(res.status, path).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'database_unavailable' });
    }
  });
});

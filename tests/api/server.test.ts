// The real entry point (api/server.ts) as a child process: it migrates a PGlite data directory, serves,
// shuts down cleanly on SIGTERM, and after a restart the account is still there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer as start } from '../support/spawn-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'bigbrain-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const startServer = () => start({ BIGBRAIN_DATA_DIR: dataDir, BIGBRAIN_DIST_DIR: join(dataDir, 'no-dist') });

const credentials = { email: 'durable@example.com', password: 'correct horse battery' };
const authorize = (url: string) =>
  fetch(`${url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });

describe('api/server.ts with a PGlite data directory', () => {
  it('keeps accounts and sessions across a graceful restart', async () => {
    const first = await startServer();
    const res = await authorize(first.url);
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startServer();
    try {
      const me = await fetch(`${second.url}/api/me`, { headers: { 'auth-token': accessToken } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ email: credentials.email });
      const wrong = await fetch(`${second.url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...credentials, password: 'another password' }) });
      expect(wrong.status).toBe(401);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);
});

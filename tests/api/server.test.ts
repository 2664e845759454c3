// The real entry point (api/server.ts) as a child process: it migrates a PGlite data directory, serves,
// shuts down cleanly on SIGTERM, and after a restart the account is still there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'bigbrain-data-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function startServer(): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BIGBRAIN_DATA_DIR: dataDir, BIGBRAIN_DIST_DIR: join(dataDir, 'no-dist') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${log}`)), 50_000);
    const onData = (chunk: Buffer) => {
      log += chunk;
      const m = /listening on (http:\/\/\S+?:\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]!.replace('localhost', '127.0.0.1')); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return { url, child, exited };
}

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
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startServer();
    try {
      const me = await fetch(`${second.url}/api/me`, { headers: { 'auth-token': accessToken } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ email: credentials.email });
      const wrong = await fetch(`${second.url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...credentials, password: 'another password' }) });
      expect(wrong.status).toBe(401);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 120_000);
});

// Runs a replayed runtime stage's CMD the way the container would: in its /app folder, with the image's
// ENV and nothing of this process's environment but PATH (HOME and TMPDIR are empty folders of its own).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { whenListening } from '../support/spawn-server.ts';
import { execForm } from './dockerfile.ts';
import type { Replayed } from './replay.ts';

export interface ImageServer {
  url: string;
  /** HOME and TMPDIR of the process: they should stay empty. */
  home: string;
  tmp: string;
  /** Runs argv (exec form) beside the server, with the server's environment; resolves with the exit code. */
  exec(argv: string[]): Promise<number | null>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
  log(): string;
}

const nodeFor = (argv: string[]) => (argv[0] === 'node' ? [process.execPath, ...argv.slice(1)] : argv);

export async function startImageServer(image: Replayed, extra: Record<string, string>, scratch: string): Promise<ImageServer> {
  if (!image.cmd) throw new Error('the runtime stage has no CMD');
  const [cmd, ...args] = nodeFor(execForm(image.cmd, 0));
  const home = mkdtempSync(join(scratch, 'home-'));
  const tmp = mkdtempSync(join(scratch, 'tmp-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, ...image.env, PORT: '0', HOST: '127.0.0.1', ...extra };
  const child = spawn(cmd!, args, { cwd: image.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const server = await whenListening(child, 60_000);
  const port = String(server.port);
  return {
    url: server.url,
    home,
    tmp,
    exec(argv) {
      const [c, ...a] = nodeFor(argv);
      return new Promise((resolve, reject) => {
        const p = spawn(c!, a, { cwd: image.root, env: { ...env, PORT: port }, stdio: 'ignore' });
        p.on('error', reject);
        p.on('exit', (code) => resolve(code));
      });
    },
    stop: server.stop,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    log: server.log,
  };
}

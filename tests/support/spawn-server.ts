// Runs the real entry point as a child process on an ephemeral port: the sources (api/server.ts under tsx)
// or, with bundle = true, the production bundle `npm start` runs (dist/api/server.mjs, built by api/build.ts).
import { spawn, type ChildProcess } from 'node:child_process';

export interface Spawned {
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal, which the log then names). */
  exited: Promise<number | null>;
  /** performance.now() at spawn, and ms from spawn to the "listening" line. */
  spawnedAt: number;
  listeningMs: number;
  /** SIGTERM unless it has already exited; resolves with the exit code. */
  stop(): Promise<number | null>;
  log(): string;
}

/** Follows a spawned server until it prints "listening on http://…" (or exits, or timeoutMs passes). */
export async function whenListening(child: ChildProcess, timeoutMs = 50_000): Promise<Spawned> {
  const spawnedAt = performance.now();
  let log = '';
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal) log += `\n[exited on ${signal}]`;
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start listening:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk;
      const m = /listening on (http:\/\/\S+?:\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]!.replace('localhost', '127.0.0.1')); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${log}`)); });
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  return { url, port: Number(new URL(url).port), child, exited, spawnedAt, listeningMs: performance.now() - spawnedAt, stop, log: () => log };
}

export function startServer(env: Record<string, string>, cwd?: string, { bundle = false }: { bundle?: boolean } = {}): Promise<Spawned> {
  const child = spawn(process.execPath, bundle ? ['dist/api/server.mjs'] : ['--import', 'tsx', 'api/server.ts'], {
    cwd,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return whenListening(child);
}

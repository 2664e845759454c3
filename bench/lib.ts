// Shared pieces of the benchmark: statistics, the real MRI images, child servers, RSS sampling.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tests/support/spawn-server.ts';
import { loadConfig } from '../api/config.ts';
import { modelFileFor } from '../api/model-file.ts';

/** The ONNX file the server runs with its default settings (the same choice as api/server.ts). */
export const SERVED_MODEL: { name: string; path: string } = (({ build, path }) => ({ name: build, path }))(modelFileFor(loadConfig({})));

export const REPO = fileURLToPath(new URL('../', import.meta.url));
export const DATA = `${REPO}../shared/data/brain-mri/Training/`;
export const QUICK = process.env.BENCH_QUICK === '1';

export interface Stats {
  n: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  mean: number;
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
  return { n: s.length, median: q(0.5), p90: q(0.9), p99: q(0.99), min: s[0] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

export const round = (x: number, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/** Logs a visible skip and records it for the report. */
export const skips: string[] = [];
export function skip(what: string, why: string): void {
  const line = `SKIPPED ${what}: ${why}`;
  skips.push(line);
  console.warn(`⚠ ${line}`);
}

export const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** Real MRI JPEGs, spread over the four classes (null when ../shared/data is absent). */
export function realImages(count: number): Array<{ name: string; bytes: Buffer }> | null {
  if (!existsSync(DATA)) return null;
  const classes = readdirSync(DATA).sort();
  const per = Math.ceil(count / classes.length);
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (const c of classes) {
    const files = readdirSync(`${DATA}${c}`).filter((f) => /\.jpe?g$/i.test(f)).sort();
    const step = Math.max(1, Math.floor(files.length / per));
    for (let i = 0; i < per && i * step < files.length; i++) {
      const f = files[i * step]!;
      out.push({ name: `${c}/${f}`, bytes: readFileSync(`${DATA}${c}/${f}`) });
    }
  }
  return out.slice(0, count);
}

/** Resident set of a process, from /proc (MiB): current and peak (VmHWM). */
export function rssOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Sum of RSS over a process and its children (gunicorn master + workers). */
export function treeRss(pid: number): number {
  let total = rssOf(pid)?.rss ?? 0;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const k of kids) total += treeRss(k);
  } catch {
    /* gone */
  }
  return total;
}

export interface Child {
  url: string;
  child: ChildProcess;
  /** ms from spawn to the "listening" line. */
  listeningMs: number;
  spawnedAt: number;
  log(): string;
  stop(): Promise<void>;
}

/** The server's default settings, read from the one place that defines them (api/config.ts). */
export function serverDefaults() {
  const c = loadConfig({});
  return { threads: c.modelThreads, maxBatch: c.modelBatch, maxWaitMs: c.modelBatchWaitMs, workers: c.detectWorkers, sessionCacheMs: c.sessionCacheMs };
}

/**
 * The production server (dist/api/server.mjs, what `npm start` runs) on a free port; PGlite in a throw-away
 * folder (or `dataDir`, kept) unless DATABASE_URL is given.
 */
export async function startApi(env: Record<string, string> = {}, dataDir?: string): Promise<Child> {
  const keep = dataDir !== undefined;
  dataDir ??= mkdtempSync(`${tmpdir()}/bigbrain-bench-`);
  const { url, child, listeningMs, spawnedAt, log } = await startServer({
    NODE_ENV: 'production', BIGBRAIN_DATA_DIR: dataDir,
    // Rate limits raised for the run (a limit with max 0 is off).
    DETECT_PER_USER: '0', LOGIN_FAILS_PER_IP: '0', LOGIN_FAILS_PER_EMAIL: '0', LOGIN_FAILS_PER_EMAIL_IP: '0',
    ...env,
  }, REPO, { bundle: true });
  return {
    url, child, listeningMs, spawnedAt, log,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (!keep) rmSync(dataDir!, { recursive: true, force: true });
    },
  };
}

/** Registers (or logs in) a user through the original contract; returns the access token. */
export async function token(url: string, email = 'bench@example.com', password = 'bench password 123'): Promise<string> {
  const res = await fetch(`${url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as { accessToken?: string };
  if (!body.accessToken) throw new Error(`no token (${res.status}): ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** A multipart/form-data body with the image in the field `file`. */
export function multipart(name: string, bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----bigbrain${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name.replace(/[^\w.-]/g, '_')}"\r\nContent-Type: image/jpeg\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, bytes, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Median of a list (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A figure over rounds: the median (what targets are judged on) and the spread. */
export interface Spread { median: number; min: number; max: number }
export function spread(xs: number[]): Spread {
  return { median: round(median(xs), 1)!, min: round(Math.min(...xs), 1)!, max: round(Math.max(...xs), 1)! };
}

/** CPU time of this process so far, user + system, ms (all threads: the libuv pool that runs sharp included). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// The server over real HTTP: start → first answer, /detect under load (autocannon) at several
// concurrencies with peak RSS and its growth, what each server change bought (ablation at one
// concurrency), the Flask + PyTorch baseline under the same load, and two instances on one PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { openNeon } from '../api/db/neon.ts';
import { MODEL_CARD } from '../models/core/model.ts';
import { startWsProxy } from '../tests/api/ws-proxy.ts';
import { load, type LoadResult } from './load.ts';
import { log, multipart, QUICK, REPO, round, rssOf, serverDefaults, skip, sleep, startApi, token } from './lib.ts';

type Images = Array<{ name: string; bytes: Buffer }>;
export const CONCURRENCY = [1, 8, 32, 64];
const SECONDS = QUICK ? 4 : 8;

export interface ServerResults {
  /** restart = the usual start, on an existing PGlite folder; first = an empty folder (PGlite runs initdb); postgres = DATABASE_URL. */
  start?: { listeningMs: number; firstAnswerMs: number; firstDetectMs: number; firstStartMs: number; postgresMs: number | null };
  detect?: { config: string; runs: LoadResult[]; rssAfterWarmupMiB: number; rssEndMiB: number; peakRssMiB: number };
  ablation?: Array<{ name: string; env: Record<string, string>; run: LoadResult }>;
  flask?: { runs: LoadResult[]; workers: number; threads: number } | null;
  scaleOut?: { tokenAcrossInstances: boolean; one: number; two: number; ratio: number; errors: number } | null;
}

async function detectOnce(url: string, tok: string, img: { name: string; bytes: Buffer }): Promise<number> {
  const { body, contentType } = multipart(img.name, img.bytes);
  const res = await fetch(`${url}/detect`, { method: 'POST', headers: { 'auth-token': tok, 'content-type': contentType }, body: new Uint8Array(body) });
  await res.arrayBuffer();
  return res.status;
}

function defaultsLabel(): string {
  const d = serverDefaults();
  return `DETECT_WORKERS=${d.workers}, MODEL_BATCH=${d.maxBatch}, MODEL_BATCH_WAIT_MS=${d.maxWaitMs}, MODEL_THREADS=${d.threads}, SESSION_CACHE_MS=${d.sessionCacheMs} (defaults)`;
}

/** ms from spawn to the first /health answer (polled from the "listening" line). */
async function firstAnswer(api: { url: string; spawnedAt: number }): Promise<number> {
  const health = await fetch(`${api.url}/health`);
  const ms = performance.now() - api.spawnedAt;
  if (!health.ok) throw new Error(`/health answered ${health.status}`);
  return ms;
}

async function warm(url: string, tok: string, images: Images) {
  await load(url, tok, images, { connections: 8, seconds: 2 });
}

export async function benchServer(images: Images): Promise<ServerResults> {
  const out: ServerResults = {};

  // Start → first answer (GET /health from the "listening" line), then the first /detect: once on an empty
  // data folder (PGlite creates the database), then the usual restart on it.
  log('server: start → first answer');
  const dataDir = mkdtempSync(`${tmpdir()}/bigbrain-bench-start-`);
  const first = await startApi({}, dataDir);
  const firstStartMs = await firstAnswer(first);
  await first.stop();
  const api = await startApi({}, dataDir);
  const firstAnswerMs = await firstAnswer(api);
  const tok = await token(api.url);
  const t = performance.now();
  const status = await detectOnce(api.url, tok, images[0]!);
  if (status !== 200) throw new Error(`/detect answered ${status}: ${api.log()}`);
  out.start = {
    listeningMs: round(api.listeningMs, 0)!, firstAnswerMs: round(firstAnswerMs, 0)!, firstDetectMs: round(performance.now() - t, 1)!,
    firstStartMs: round(firstStartMs, 0)!, postgresMs: null,
  };

  // /detect at each concurrency, default configuration.
  const pid = api.child.pid!;
  await warm(api.url, tok, images);
  const rssAfterWarmupMiB = round(rssOf(pid)?.rss ?? NaN, 0)!;
  const runs: LoadResult[] = [];
  for (const connections of CONCURRENCY) {
    log(`server /detect: ${connections} connections, ${SECONDS} s`);
    runs.push(await load(api.url, tok, images, { connections, seconds: SECONDS, pid }));
  }
  const r = rssOf(pid);
  out.detect = {
    config: defaultsLabel(),
    runs, rssAfterWarmupMiB, rssEndMiB: round(r?.rss ?? NaN, 0)!, peakRssMiB: round(r?.hwm ?? NaN, 0)!,
  };
  await api.stop();
  rmSync(dataDir, { recursive: true, force: true });

  // What each change bought: the same load at 32 connections, one server per configuration.
  const variants: Array<{ name: string; env: Record<string, string> }> = [
    { name: 'before: everything on the event loop, one image per inference, a session lookup per request', env: { DETECT_WORKERS: '0', MODEL_BATCH: '1', SESSION_CACHE_MS: '0' } },
    { name: '+ dynamic batching (≤16, ≤2 ms, only while more images are being decoded)', env: { DETECT_WORKERS: '0', SESSION_CACHE_MS: '0' } },
    { name: '+ session checks cached 2 s', env: { DETECT_WORKERS: '0' } },
    { name: '+ pipeline on 1 detect worker thread', env: { DETECT_WORKERS: '1' } },
    { name: '+ a second detect worker thread — the default', env: {} },
    { name: '2 workers, MODEL_THREADS=2', env: { MODEL_THREADS: '2' } },
  ];
  out.ablation = [];
  for (const v of variants) {
    log(`ablation: ${v.name}`);
    const s = await startApi(v.env);
    try {
      const k = await token(s.url);
      await warm(s.url, k, images);
      out.ablation.push({ ...v, run: await load(s.url, k, images, { connections: 32, seconds: SECONDS, pid: s.child.pid! }) });
    } finally {
      await s.stop();
    }
  }

  out.flask = await benchFlask(images);
  out.scaleOut = await scaleOut(images, out);
  return out;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Flask + PyTorch (the original stack) under gunicorn, 2 workers × 1 thread. The gthread worker (with one
 * thread) because it keeps connections alive: the sync worker closes each one, which autocannon counts as
 * errors with meaningless latencies.
 */
async function benchFlask(images: Images): Promise<ServerResults['flask']> {
  const py = '/usr/bin/python3';
  const ok = existsSync(py) && spawnSync(py, ['-c', 'import flask, gunicorn, torch, numpy, PIL'], { stdio: 'ignore' }).status === 0;
  if (!ok) {
    skip('Flask + PyTorch baseline', 'Debian python3-flask, python3-gunicorn or python3-torch is missing (apt-get install python3-flask python3-gunicorn python3-torch)');
    return null;
  }
  const weights = `${REPO}models/weights/bigbrain-${MODEL_CARD.version}.pt`;
  const fallback = `${REPO}.cache/run/weights.pt`;
  const w = existsSync(weights) ? weights : existsSync(fallback) ? fallback : null;
  if (!w) {
    skip('Flask + PyTorch baseline', `no PyTorch weights at ${weights}`);
    return null;
  }
  const port = await freePort();
  const tok = randomBytes(20).toString('hex');
  log('Flask + PyTorch baseline (gunicorn 2×1)');
  const child = spawn(py, ['-m', 'gunicorn', '-k', 'gthread', '-w', '2', '--threads', '1', '-b', `127.0.0.1:${port}`, '--timeout', '120', '--log-level', 'warning', 'app:app'], {
    cwd: `${REPO}bench/baseline`, env: { ...process.env, BASELINE_TOKENS: tok, BASELINE_WEIGHTS: w, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error('gunicorn exited');
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('gunicorn did not start in 60 s');
      await sleep(100);
    }
    // Both workers load the model lazily at import: warm them.
    await warm(url, tok, images);
    const runs: LoadResult[] = [];
    for (const connections of CONCURRENCY) {
      log(`Flask /detect: ${connections} connections, ${SECONDS} s`);
      runs.push(await load(url, tok, images, { connections, seconds: SECONDS, pid: child.pid! }));
    }
    return { runs, workers: 2, threads: 1 };
  } catch (err) {
    skip('Flask + PyTorch baseline', String(err));
    return null;
  } finally {
    child.kill('SIGTERM');
    await sleep(300);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Two API processes on one PostgreSQL: a token from one works on the other; throughput of two vs one. */
async function scaleOut(images: Images, out: ServerResults): Promise<ServerResults['scaleOut']> {
  const base = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://bigbrain:bigbrain@127.0.0.1:5432/bigbrain';
  const proxy = await startWsProxy();
  let admin: Awaited<ReturnType<typeof openNeon>> | null = null;
  const name = `bigbrain_bench_${randomBytes(5).toString('hex')}`;
  try {
    admin = await openNeon(base, { wsProxy: proxy.address, max: 1 });
    await admin.query(`create database ${name}`);
  } catch (err) {
    skip('scale-out (two instances on PostgreSQL)', `PostgreSQL at ${base.replace(/:[^:@/]*@/, ':***@')} not usable: ${String(err).slice(0, 200)}`);
    await admin?.close().catch(() => {});
    await proxy.close();
    return null;
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString(), DATABASE_WS_PROXY: proxy.address };
  log('scale-out: two instances, one PostgreSQL');
  const a = await startApi(env);
  let b: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    if (out.start) out.start.postgresMs = round(await firstAnswer(a), 0)!; // before B starts beside it
    b = await startApi(env);
    const tok = await token(a.url, `scale-${name}@example.com`);
    const across = (await detectOnce(b.url, tok, images[0]!)) === 200;
    await warm(a.url, tok, images);
    await warm(b.url, tok, images);
    const one = await load(a.url, tok, images, { connections: 32, seconds: SECONDS });
    const [x, y] = await Promise.all([
      load(a.url, tok, images, { connections: 16, seconds: SECONDS }),
      load(b.url, tok, images, { connections: 16, seconds: SECONDS }),
    ]);
    const two = x.reqPerSec + y.reqPerSec;
    return { tokenAcrossInstances: across, one: one.reqPerSec, two: round(two, 1)!, ratio: round(two / one.reqPerSec, 2)!, errors: one.errors + x.errors + y.errors + one.non2xx + x.non2xx + y.non2xx };
  } finally {
    await a.stop();
    await b?.stop();
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.close().catch(() => {});
    await proxy.close();
  }
}


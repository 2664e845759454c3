// The server over real HTTP: start → first answer; /detect under load interleaved with the Flask + PyTorch baseline
// (A, B, A, B … per concurrency level, both servers started once and kept running, medians with the spread), with
// DICOM slices as a third upload in the same rounds and the RSS of both servers; what each server change bought
// (ablation at one concurrency); two instances on one PostgreSQL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { openDicom } from '../models/core/dicom/index.ts';
import { openNeon } from '../api/db/neon.ts';
import { MODEL_CARD } from '../models/core/model.ts';
import { startWsProxy } from '../tests/api/ws-proxy.ts';
import { DICOM_DESCRIPTION, dicomSlices } from './slices.ts';
import { load, type LoadResult } from './load.ts';
import { log, multipart, QUICK, REPO, round, serverDefaults, skip, sleep, spread, startApi, token, treeRss, type Spread } from './lib.ts';

type Images = Array<{ name: string; bytes: Buffer }>;
/** Levels of the interleaved comparison; 64 is an extra row, BigBrain only. */
export const CONCURRENCY = [1, 8, 32];
export const EXTRA_CONCURRENCY = [64];
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 8));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));

/** Every run of one server and one upload kind at one level, and their summary over the rounds. */
export interface Series {
  runs: LoadResult[];
  reqPerSec: Spread;
  p50: Spread;
  p99: Spread;
  /** Summed over the rounds. */
  errors: number;
  non2xx: number;
}

export interface InterleavedLevel {
  connections: number;
  bigbrain: Series;
  /** null: not run at this level (64), or the baseline is unavailable. */
  flask: Series | null;
  /** BigBrain with DICOM slices as the upload (Flask cannot read DICOM). */
  dicom: Series | null;
}

export interface Memory {
  afterWarmupMiB: number;
  /** Highest RSS sampled every 100 ms during the runs. */
  peakMiB: number;
  endMiB: number;
  growthMiB: number;
}

export interface ServerResults {
  /** restart = the usual start, on an existing PGlite folder; first = an empty folder (PGlite runs initdb); postgres = DATABASE_URL. */
  start?: { listeningMs: number; firstAnswerMs: number; firstDetectMs: number; firstStartMs: number; postgresMs: number | null };
  interleaved?: {
    config: string;
    rounds: number;
    seconds: number;
    /** The order of the runs in each round, e.g. ["BigBrain", "Flask", "BigBrain DICOM"]. */
    order: string[];
    levels: InterleavedLevel[];
    flask: { workers: number; threads: number } | null;
    dicom: { slices: number; bytesEach: number; description: string; inScope: number; results: string[] } | null;
    memory: { bigbrain: Memory; flask: Memory | null };
  };
  ablation?: Array<{ name: string; env: Record<string, string>; run: LoadResult }>;
  scaleOut?: { tokenAcrossInstances: boolean; one: number; two: number; ratio: number; errors: number } | null;
}

async function post(url: string, tok: string, body: Uint8Array, contentType: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/detect`, { method: 'POST', headers: { 'auth-token': tok, 'content-type': contentType }, body: new Uint8Array(body) });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

async function detectOnce(url: string, tok: string, img: { name: string; bytes: Buffer }): Promise<number> {
  const { body, contentType } = multipart(img.name, img.bytes);
  return (await post(url, tok, body, contentType)).status;
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

async function warm(url: string, tok: string, images: Images, as: 'multipart' | 'dicom' = 'multipart') {
  await load(url, tok, images, { connections: 8, seconds: QUICK ? 1 : 2, as });
}

const summarise = (runs: LoadResult[]): Series => ({
  runs,
  reqPerSec: spread(runs.map((r) => r.reqPerSec)),
  p50: spread(runs.map((r) => r.p50)),
  p99: spread(runs.map((r) => r.p99)),
  errors: runs.reduce((a, r) => a + r.errors, 0),
  non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
});

/** RSS of a server's process tree, sampled: after warm-up, the peak of every run, at the end. */
function memoryOf(pid: number) {
  const afterWarmupMiB = treeRss(pid);
  let peak = afterWarmupMiB;
  return {
    saw: (r: LoadResult) => { if (r.peakRssMiB !== null) peak = Math.max(peak, r.peakRssMiB); },
    done: (): Memory => {
      const endMiB = treeRss(pid);
      return { afterWarmupMiB: round(afterWarmupMiB, 0)!, peakMiB: round(Math.max(peak, endMiB), 0)!, endMiB: round(endMiB, 0)!, growthMiB: round(endMiB - afterWarmupMiB, 0)! };
    },
  };
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
  let flask: Awaited<ReturnType<typeof startFlask>> = null;
  try {
    const firstAnswerMs = await firstAnswer(api);
    const tok = await token(api.url);
    const t = performance.now();
    const status = await detectOnce(api.url, tok, images[0]!);
    if (status !== 200) throw new Error(`/detect answered ${status}: ${api.log()}`);
    out.start = {
      listeningMs: round(api.listeningMs, 0)!, firstAnswerMs: round(firstAnswerMs, 0)!, firstDetectMs: round(performance.now() - t, 1)!,
      firstStartMs: round(firstStartMs, 0)!, postgresMs: null,
    };

    // The interleaved comparison: this server (kept running) and the Flask baseline (started once), same images.
    flask = await startFlask();
    // DICOM slices: checked once (every one answered 200, and how many inside the validated use); on a failure the
    // DICOM rows are skipped, not the whole phase.
    let slices: Images | null = await dicomSlices(images);
    let results: string[] = [];
    const answers = await Promise.all(slices.map((x) => post(api.url, tok, x.bytes, 'application/dicom')));
    const bad = answers.find((a) => a.status !== 200);
    if (bad) {
      skip('DICOM under load', `/detect answered a bench DICOM slice ${bad.status}: ${JSON.stringify(bad.body).slice(0, 300)}`);
      slices = null;
    } else {
      results = answers.map((a) => String(a.body.result));
    }
    const inScope = results.filter((x) => x !== 'Outside validated use').length;
    if (slices && inScope < slices.length) skip('DICOM in scope', `${slices.length - inScope} of ${slices.length} bench slices were answered "Outside validated use" (still decoded and preprocessed; no inference)`);

    log('warm-up: BigBrain (JPEG, DICOM)' + (flask ? ' and Flask' : ''));
    await warm(api.url, tok, images);
    if (slices) await warm(api.url, tok, slices, 'dicom');
    if (flask) await warm(flask.url, flask.tok, images);
    const pid = api.child.pid!;
    const bbMem = memoryOf(pid);
    const flMem = flask ? memoryOf(flask.child.pid!) : null;

    const order = ['BigBrain', ...(flask ? ['Flask'] : []), ...(slices ? ['BigBrain DICOM'] : [])];
    const levels: InterleavedLevel[] = [];
    for (const connections of [...CONCURRENCY, ...EXTRA_CONCURRENCY]) {
      const extra = EXTRA_CONCURRENCY.includes(connections);
      const bb: LoadResult[] = [], fl: LoadResult[] = [], dc: LoadResult[] = [];
      for (let r = 1; r <= ROUNDS; r++) {
        const run = async (label: string, into: LoadResult[], go: () => Promise<LoadResult>, mem: ReturnType<typeof memoryOf> | null) => {
          const x = await go();
          into.push(x);
          mem?.saw(x);
          log(`  c=${connections} round ${r}/${ROUNDS} ${label}: ${x.reqPerSec} req/s, p50 ${x.p50} ms, p99 ${x.p99} ms${x.errors + x.non2xx ? `, ${x.errors} errors, ${x.non2xx} non-2xx` : ''}`);
          await sleep(300); // let the one just measured settle before the other starts
        };
        await run('BigBrain', bb, () => load(api.url, tok, images, { connections, seconds: SECONDS, pid }), bbMem);
        if (flask && !extra) await run('Flask', fl, () => load(flask!.url, flask!.tok, images, { connections, seconds: SECONDS, pid: flask!.child.pid! }), flMem);
        if (slices && !extra) await run('BigBrain DICOM', dc, () => load(api.url, tok, slices!, { connections, seconds: SECONDS, pid, as: 'dicom' }), bbMem);
      }
      levels.push({ connections, bigbrain: summarise(bb), flask: fl.length ? summarise(fl) : null, dicom: dc.length ? summarise(dc) : null });
    }
    out.interleaved = {
      config: defaultsLabel(), rounds: ROUNDS, seconds: SECONDS, order, levels,
      flask: flask ? { workers: 2, threads: 1 } : null,
      dicom: slices && { slices: slices.length, bytesEach: slices[0]!.bytes.length, description: `${openDicom(slices[0]!.bytes).image.rows}² MR, explicit VR little endian, native 16-bit (12 stored), MONOCHROME2, axial, TR 500 / TE 10 ms ("${DICOM_DESCRIPTION}"), raw application/dicom body`, inScope, results },
      memory: { bigbrain: bbMem.done(), flask: flMem?.done() ?? null },
    };
  } finally {
    await flask?.stop();
    await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  // What each change bought: the same load at 32 connections, one server per configuration.
  const variants: Array<{ name: string; env: Record<string, string> }> = [
    { name: 'before: everything on the event loop, one image per inference, a session lookup per request', env: { DETECT_WORKERS: '0', MODEL_BATCH: '1', SESSION_CACHE_MS: '0' } },
    { name: '+ dynamic batching (≤16, ≤2 ms, only while more images are being decoded)', env: { DETECT_WORKERS: '0', SESSION_CACHE_MS: '0' } },
    { name: '+ session checks cached 2 s', env: { DETECT_WORKERS: '0' } },
    { name: '+ pipeline on 1 detect worker thread', env: { DETECT_WORKERS: '1' } },
    { name: '+ a second detect worker thread — the default', env: {} },
    { name: '2 workers, MODEL_THREADS=2', env: { MODEL_THREADS: '2' } },
    { name: 'the default with the fp32 model (MODEL_PRECISION=fp32): what the int8 build bought', env: { MODEL_PRECISION: 'fp32' } },
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
 * Flask + PyTorch (the original stack) under gunicorn, 2 workers × 1 thread, started once for all rounds. The
 * gthread worker (with one thread) because it keeps connections alive: the sync worker closes each one, which
 * autocannon counts as errors with meaningless latencies. null (with a skip line) when it cannot run here.
 */
async function startFlask(): Promise<{ url: string; tok: string; child: ChildProcess; stop(): Promise<void> } | null> {
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
  log('Flask + PyTorch baseline (gunicorn 2×1): starting');
  const child = spawn(py, ['-m', 'gunicorn', '-k', 'gthread', '-w', '2', '--threads', '1', '-b', `127.0.0.1:${port}`, '--timeout', '120', '--log-level', 'warning', 'app:app'], {
    cwd: `${REPO}bench/baseline`, env: { ...process.env, BASELINE_TOKENS: tok, BASELINE_WEIGHTS: w, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error('gunicorn exited');
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (i > 600) throw new Error('gunicorn did not start in 60 s');
      await sleep(100);
    }
    return { url, tok, child, stop };
  } catch (err) {
    skip('Flask + PyTorch baseline', String(err));
    await stop();
    return null;
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


// The whole image pipeline on worker threads (decode, preprocess, batched inference), so the event
// loop only parses HTTP and talks to the database. onnxruntime-node runs a session synchronously on
// the thread that calls it: on the event loop it would stall every other request for each batch.
// Errors come back as the same DecodeError / PreprocessError the in-thread pipeline throws.
import { Worker } from 'node:worker_threads';
import { PreprocessError, type PreprocessErrorCode } from '../core/preprocess.ts';
import { DicomError, type DicomErrorCode } from '../core/dicom/index.ts';
import { disableOrtTelemetry } from './classifier.ts';
import { DecodeError, type DecodeErrorCode } from './decode.ts';
import type { Detected, DetectOptions } from './detect-inline.ts';
import type { CloseRequest, DetectRequest, DetectResponse, DetectWorkerData } from './detect.worker.ts';

export interface DetectPool {
  /** Image bytes → the model's answer (throws DecodeError / PreprocessError). */
  detect(bytes: Uint8Array, options?: DetectOptions): Promise<Detected>;
  /** Resolves when the first worker has loaded its model (jobs go to the ready ones); rejects if it cannot. */
  ready: Promise<void>;
  close(): Promise<void>;
}

// Beside the production bundle (dist/api/*.mjs) the worker is bundled too; from sources it is TypeScript.
const WORKER_URL = new URL(import.meta.url.endsWith('.mjs') ? './detect.worker.mjs' : './detect.worker.ts', import.meta.url);

/** Bundled, the worker starts as is; from sources a two-line bootstrap registers tsx first. */
function startWorker(data: DetectWorkerData): Worker {
  if (WORKER_URL.pathname.endsWith('.mjs')) return new Worker(WORKER_URL, { workerData: data });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

function revive(r: Extract<DetectResponse, { ok: false }>): Error {
  if (r.name === 'DicomError') return new DicomError(r.code as DicomErrorCode, r.message);
  if (r.name === 'DecodeError') return new DecodeError(r.code as DecodeErrorCode, r.message);
  if (r.name === 'PreprocessError') return new PreprocessError(r.code as PreprocessErrorCode, r.message);
  return new Error(r.message);
}

/**
 * Asks the worker to release its session and end by itself; a worker still loading its model reads the
 * request once loaded. terminate() mid-load aborts the whole process (onnxruntime's native code throws
 * on a dying thread), so it is only the fallback for a worker that does not end in time.
 */
function stopWorker(w: Worker, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void w.terminate().then(() => resolve()), graceMs);
    w.once('exit', () => { clearTimeout(timer); resolve(); });
    const msg: CloseRequest = { close: true };
    w.postMessage(msg);
  });
}

export function createDetectPool(workers: number, data: DetectWorkerData): DetectPool {
  if (workers < 1) throw new Error('a detect pool needs at least one worker');
  disableOrtTelemetry(); // here, in the real environment the workers' onnxruntime reads
  type Job = { resolve(a: Detected): void; reject(e: Error): void; worker?: Worker };
  const pending = new Map<number, Job>();
  const load = new Map<Worker, number>();
  const ready = new Set<Worker>();
  const waiting: Array<{ id: number; bytes: Uint8Array; options: DetectOptions | undefined }> = [];
  let nextId = 1;
  let closed = false;

  const send = (w: Worker, id: number, bytes: Uint8Array, options: DetectOptions | undefined) => {
    load.set(w, load.get(w)! + 1);
    pending.get(id)!.worker = w;
    // A copy of its own, moved rather than cloned a second time: the caller keeps its bytes.
    const own = new Uint8Array(bytes);
    const msg: DetectRequest = options?.heatmap || options?.overlay ? { id, bytes: own, options } : { id, bytes: own };
    w.postMessage(msg, [own.buffer]);
  };

  const spawn = (): Promise<void> => new Promise((resolveReady, rejectReady) => {
    const w = startWorker(data);
    w.unref();
    load.set(w, 0);
    w.on('message', (r: DetectResponse | { ready: true }) => {
      if ('ready' in r) {
        ready.add(w);
        resolveReady();
        while (waiting.length > 0) { const j = waiting.shift()!; send(w, j.id, j.bytes, j.options); }
        return;
      }
      const job = pending.get(r.id);
      pending.delete(r.id);
      load.set(w, (load.get(w) ?? 1) - 1);
      if (!job) return;
      if (r.ok) job.resolve(r.analysis);
      else job.reject(revive(r));
    });
    w.on('error', (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      if (!ready.has(w)) rejectReady(e);
      fail(w, e);
    });
    w.on('exit', (code) => fail(w, new Error(`detect worker exited with code ${code}`)));
  });

  // A dead worker fails its own jobs only and is replaced (unless it never started: no retry loop).
  const fail = (w: Worker, err: Error) => {
    if (!load.has(w)) return;
    const wasReady = ready.has(w);
    load.delete(w);
    ready.delete(w);
    for (const [id, job] of pending) {
      if (job.worker !== w) continue;
      job.reject(err);
      pending.delete(id);
    }
    if (!closed && wasReady) void spawn().catch(() => {});
  };

  // The others start once the first is ready: on a small machine they would otherwise compete with it
  // (and with the database's start) for the same cores, and delay the first answer.
  const started = spawn();
  void started.then(() => {
    for (let i = 1; i < workers && !closed; i++) void spawn().catch(() => {});
  }, () => {});
  started.catch(() => {}); // the caller awaits `ready`; no unhandled rejection meanwhile

  return {
    ready: started,
    detect(bytes, options) {
      if (closed) return Promise.reject(new Error('the detect pool is closed'));
      const id = nextId++;
      return new Promise<Detected>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Least-loaded ready worker; before any has started, the job waits for the first one.
        let best: Worker | null = null;
        for (const w of ready) if (!best || load.get(w)! < load.get(best)!) best = w;
        if (best) send(best, id, bytes, options);
        else waiting.push({ id, bytes, options });
      });
    },
    async close() {
      // Stop taking work, let the jobs already sent finish (a draining server still answers them), then stop.
      closed = true;
      for (const j of waiting.splice(0)) { pending.get(j.id)?.reject(new Error('the detect pool is closed')); pending.delete(j.id); }
      const deadline = Date.now() + 10_000;
      while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const all = [...load.keys()];
      load.clear();
      ready.clear();
      for (const job of pending.values()) job.reject(new Error('the detect pool is closed'));
      pending.clear();
      await Promise.all(all.map((w) => stopWorker(w)));
    },
  };
}

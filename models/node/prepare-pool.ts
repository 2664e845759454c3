// Decode + preprocess on worker threads, so the event loop only parses HTTP and runs the model.
// Errors come back as the same DecodeError / PreprocessError the in-thread pipeline throws.
import { Worker } from 'node:worker_threads';
import { preprocess, PreprocessError, type PreprocessErrorCode, type Preprocessed } from '../core/preprocess.ts';
import { decodeImage, DecodeError, type DecodeErrorCode } from './decode.ts';
import type { PrepareRequest, PrepareResponse } from './prepare.worker.ts';

export interface Preparer {
  /** Image bytes → the model's input (throws DecodeError / PreprocessError). */
  prepare(bytes: Uint8Array): Promise<Preprocessed>;
  /** Worker threads started and answering (0 = inline). */
  threadsReady(): number;
  close(): Promise<void>;
}

/** The same work on the calling thread (workers = 0). */
export const inlinePreparer: Preparer = {
  prepare: async (bytes) => preprocess(await decodeImage(bytes)),
  threadsReady: () => 0,
  close: async () => {},
};

const WORKER_URL = new URL('./prepare.worker.ts', import.meta.url);

/**
 * The worker runs TypeScript sources: under tsx (the server) it inherits the loader through execArgv;
 * elsewhere (vitest) a two-line bootstrap registers tsx first.
 */
function startWorker(): Worker {
  if (process.execArgv.some((a) => a.includes('tsx'))) return new Worker(WORKER_URL);
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

function revive(r: Extract<PrepareResponse, { ok: false }>): Error {
  if (r.name === 'DecodeError') return new DecodeError(r.code as DecodeErrorCode, r.message);
  if (r.name === 'PreprocessError') return new PreprocessError(r.code as PreprocessErrorCode, r.message);
  return new Error(r.message);
}

export function createPreparePool(workers: number): Preparer {
  if (workers <= 0) return inlinePreparer;
  type Job = { resolve(p: Preprocessed): void; reject(e: Error): void };
  const pending = new Map<number, Job>();
  const load = new Map<Worker, number>();
  const ready = new Set<Worker>();
  const owner = new Map<number, Worker>();
  let nextId = 1;
  let closed = false;

  const spawn = (): Worker => {
    const w = startWorker();
    w.unref();
    load.set(w, 0);
    w.on('message', (r: PrepareResponse | { ready: true }) => {
      if ('ready' in r) return void ready.add(w);
      const job = pending.get(r.id);
      pending.delete(r.id);
      owner.delete(r.id);
      load.set(w, (load.get(w) ?? 1) - 1);
      if (!job) return;
      if (r.ok) job.resolve({ pixels: r.pixels, tensor: r.tensor, size: r.size, crop: r.crop, colourfulness: r.colourfulness });
      else job.reject(revive(r));
    });
    w.on('error', (err: unknown) => fail(w, err instanceof Error ? err : new Error(String(err))));
    w.on('exit', (code) => fail(w, new Error(`prepare worker exited with code ${code}`)));
    return w;
  };

  // A dead worker fails its own jobs only and is replaced.
  const fail = (w: Worker, err: Error) => {
    if (!load.has(w)) return;
    load.delete(w);
    ready.delete(w);
    for (const [id, o] of owner) {
      if (o !== w) continue;
      pending.get(id)?.reject(err);
      pending.delete(id);
      owner.delete(id);
    }
    if (!closed) spawn();
  };

  for (let i = 0; i < workers; i++) spawn();

  return {
    prepare(bytes) {
      if (closed) return Promise.reject(new Error('the prepare pool is closed'));
      // Least-loaded ready worker; until one has started (server boot), the work runs inline.
      // The bytes are copied, not transferred: the caller still needs them (to hash).
      let best: Worker | null = null;
      for (const w of ready) if (!best || load.get(w)! < load.get(best)!) best = w;
      if (!best) return inlinePreparer.prepare(bytes);
      const w = best;
      const id = nextId++;
      load.set(w, load.get(w)! + 1);
      owner.set(id, w);
      return new Promise<Preprocessed>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const msg: PrepareRequest = { id, bytes };
        w.postMessage(msg);
      });
    },
    threadsReady: () => ready.size,
    async close() {
      closed = true;
      const all = [...load.keys()];
      load.clear();
      ready.clear();
      for (const job of pending.values()) job.reject(new Error('the prepare pool is closed'));
      pending.clear();
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}

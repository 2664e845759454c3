// In-process measurements with onnxruntime-node: model-only latency, raw batched throughput,
// end-to-end per image in the server process, and the in-process pipeline ceiling (no HTTP).
import { availableParallelism } from 'node:os';
import { preprocess, type Preprocessed } from '../models/core/preprocess.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../models/node/classifier.ts';
import { decodeImage } from '../models/node/decode.ts';
import { createServerClassifier } from '../models/node/server-classifier.ts';
import { log, QUICK, round, serverDefaults, stats, type Stats } from './lib.ts';

export interface NodeResults {
  modelOnly: Stats & { threads: number };
  rawBatched: Array<{ threads: number; batch: number; imgPerSec: number }>;
  rawCeiling: { threads: number; batch: number; imgPerSec: number };
  endToEnd: Stats & { decode: number; preprocess: number; inference: number };
  pipelineCeiling: { imgPerSec: number; images: number; workers: number; maxBatch: number; concurrency: number; tried: Array<{ workers: number; imgPerSec: number }> };
}

async function timeFor(ms: number, step: () => Promise<unknown>): Promise<{ runs: number; seconds: number }> {
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < ms) { await step(); runs++; }
  return { runs, seconds: (performance.now() - t0) / 1000 };
}

export async function benchNode(images: Array<{ name: string; bytes: Buffer }>): Promise<NodeResults> {
  const pre: Preprocessed[] = [];
  for (const img of images) pre.push(preprocess(await decodeImage(img.bytes)));

  // (1) model-only latency, one image, the server's default session (1 intra-op thread).
  log('onnxruntime-node: model-only latency');
  const one = await createClassifier(undefined, { threads: 1 });
  const t = [pre[0]!.tensor];
  for (let i = 0; i < 20; i++) await one.run(t);
  const lat: number[] = [];
  for (let i = 0; i < (QUICK ? 60 : 200); i++) {
    const s = performance.now();
    await one.run([pre[i % pre.length]!.tensor]);
    lat.push(performance.now() - s);
  }
  const modelOnly = { ...stats(lat), threads: 1 };

  // (2) end to end in the server process, one image at a time: decode → preprocess → inference → interpret.
  log('server process: end-to-end per image');
  const e2e: number[] = [], dec: number[] = [], pp: number[] = [], inf: number[] = [];
  for (let i = 0; i < Math.max(60, images.length); i++) {
    const bytes = images[i % images.length]!.bytes;
    const a = performance.now();
    const px = await decodeImage(bytes);
    const b = performance.now();
    const p = preprocess(px);
    const c = performance.now();
    await one.analyse([p]);
    const d = performance.now();
    if (i >= 5) { e2e.push(d - a); dec.push(b - a); pp.push(c - b); inf.push(d - c); }
  }
  const endToEnd = { ...stats(e2e), decode: stats(dec).median, preprocess: stats(pp).median, inference: stats(inf).median };
  await one.release();

  // (4a) raw batched throughput on pre-made tensors.
  log('onnxruntime-node: raw batched throughput');
  const rawBatched: NodeResults['rawBatched'] = [];
  for (const threads of [1, availableParallelism()]) {
    const c = await createClassifier(undefined, { threads });
    for (const batch of [1, 16, 32]) {
      const tensors = Array.from({ length: batch }, (_, i) => pre[i % pre.length]!.tensor);
      await c.run(tensors);
      const { runs, seconds } = await timeFor(QUICK ? 800 : 2000, () => c.run(tensors));
      rawBatched.push({ threads, batch, imgPerSec: round((runs * batch) / seconds, 1)! });
    }
    await c.release();
  }
  const rawCeiling = rawBatched.reduce((a, b) => (b.imgPerSec > a.imgPerSec ? b : a));

  // (4a) in-process pipeline ceiling: the server's own model stack (decode + preprocess + batcher, inline
  // or on detect worker threads), no HTTP, no auth, no database. The best of 0, 1 and 2 workers.
  log('in-process pipeline ceiling');
  let pipelineCeiling: NodeResults['pipelineCeiling'] | null = null;
  const tried: Array<{ workers: number; imgPerSec: number }> = [];
  for (const workers of [0, 1, 2]) {
    const { threads, maxBatch, maxWaitMs } = serverDefaults();
    const opts = { threads, maxBatch, maxWaitMs, workers };
    const server = await createServerClassifier(DEFAULT_MODEL_PATH, opts);
    const concurrency = 32;
    const total = QUICK ? 256 : 1024;
    const go = async () => {
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const img = images[next++ % images.length]!;
          await server.detect(img.bytes);
        }
      }));
    };
    await go(); // warm-up
    const s = performance.now();
    await go();
    const imgPerSec = round(total / ((performance.now() - s) / 1000), 1)!;
    log(`  detect workers ${workers}: ${imgPerSec} img/s`);
    tried.push({ workers, imgPerSec });
    if (!pipelineCeiling || imgPerSec > pipelineCeiling.imgPerSec) pipelineCeiling = { imgPerSec, images: total, workers, maxBatch: opts.maxBatch, concurrency, tried };
    await server.release();
  }
  return { modelOnly, rawBatched, rawCeiling, endToEnd, pipelineCeiling: pipelineCeiling! };
}

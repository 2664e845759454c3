// In-process measurements with onnxruntime-node: model-only latency, raw batched throughput,
// end-to-end per image in the server process, and the in-process pipeline ceiling (no HTTP).
import { availableParallelism } from 'node:os';
import { preprocess, type Pixels, type Preprocessed } from '../models/core/preprocess.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../models/node/classifier.ts';
import { SERVED_MODEL } from './lib.ts';
import { decodeImage, decodeWithSharp } from '../models/node/decode.ts';
import { decodeInput } from '../models/node/decode-input.ts';
import { createServerClassifier } from '../models/node/server-classifier.ts';
import { preprocess as preprocessFirstWritten } from '../tests/support/preprocess-reference.ts';
import { cpuMs, log, QUICK, round, serverDefaults, stats, type Stats } from './lib.ts';
import { dicomSlices } from './slices.ts';

export interface NodeResults {
  /** The model the server runs (SERVED_MODEL: the int8 build by default); modelOnlyFp32: the browser's file. */
  modelOnly: Stats & { threads: number; model: string };
  modelOnlyFp32: Stats & { threads: number; model: string };
  rawBatched: Array<{ model: string; threads: number; batch: number; imgPerSec: number }>;
  /** Best raw batched throughput of the served model, and of fp32 (the reference when issue 15 was filed). */
  rawCeiling: { model: string; threads: number; batch: number; imgPerSec: number };
  rawCeilingFp32: { model: string; threads: number; batch: number; imgPerSec: number };
  endToEnd: Stats & { decode: number; preprocess: number; inference: number };
  cpuPerImage: CpuPerImage;
  pipelineCeiling: { imgPerSec: number; images: number; workers: number; maxBatch: number; concurrency: number; tried: Array<{ workers: number; imgPerSec: number }> };
}

export interface CpuRow {
  input: 'JPEG' | 'DICOM';
  decoder: string;
  preprocess: string;
  /** The server's path today (the others are ablation). */
  current: boolean;
  /** CPU per image, ms (process.cpuUsage, user + system, every thread of the process). */
  decodeMs: number;
  preprocessMs: number;
  totalMs: number;
  /** Wall time per image, ms, for comparison. */
  wallMs: number;
}
export interface CpuPerImage { images: number; passes: number; warmup: number; size: string; rows: CpuRow[] }

type Decode = (bytes: Buffer) => Promise<Pixels>;
type Prep = (px: Pixels) => unknown;

/**
 * CPU of decode + preprocess, one image at a time (awaited in turn), over `n` images after `warmup`: the whole loop's
 * CPU is the total; the split sums the CPU read between the two steps of each image.
 */
async function cpuOf(inputs: Buffer[], decode: Decode, prep: Prep, n: number, warmup: number) {
  for (let i = 0; i < warmup; i++) prep(await decode(inputs[i % inputs.length]!));
  let dec = 0, pp = 0;
  const w0 = performance.now(), c0 = cpuMs();
  for (let i = 0; i < n; i++) {
    const a = cpuMs();
    const px = await decode(inputs[i % inputs.length]!);
    const b = cpuMs();
    prep(px);
    pp += cpuMs() - b;
    dec += b - a;
  }
  const total = cpuMs() - c0, wall = performance.now() - w0;
  return { decodeMs: round(dec / n, 3)!, preprocessMs: round(pp / n, 3)!, totalMs: round(total / n, 3)!, wallMs: round(wall / n, 3)! };
}

export async function benchCpuPerImage(images: Array<{ name: string; bytes: Buffer }>): Promise<CpuPerImage> {
  log('decode + preprocess: CPU per image (JPEG, DICOM; old paths as ablation)');
  const n = QUICK ? 500 : 1000, warmup = 100, PASSES = QUICK ? 1 : 3;
  const jpegs = images.map((i) => i.bytes);
  const slices = (await dicomSlices(images)).map((s) => s.bytes);
  const dicomDecode: Decode = async (b) => (await decodeInput(b)).frames[0]!.pixels;
  const sharpJpeg: Decode = (b) => decodeWithSharp(b, 'jpeg');
  const variants: Array<Omit<CpuRow, 'decodeMs' | 'preprocessMs' | 'totalMs' | 'wallMs'> & { inputs: Buffer[]; decode: Decode; prep: Prep }> = [
    { input: 'JPEG', decoder: 'decodeImage (WASM libjpeg-turbo for plain JPEGs)', preprocess: 'pp-1 today', current: true, inputs: jpegs, decode: decodeImage, prep: preprocess },
    { input: 'JPEG', decoder: 'sharp (decodeWithSharp)', preprocess: 'pp-1 today', current: false, inputs: jpegs, decode: sharpJpeg, prep: preprocess },
    { input: 'JPEG', decoder: 'decodeImage (WASM libjpeg-turbo for plain JPEGs)', preprocess: 'pp-1 as first written', current: false, inputs: jpegs, decode: decodeImage, prep: preprocessFirstWritten },
    { input: 'JPEG', decoder: 'sharp (decodeWithSharp)', preprocess: 'pp-1 as first written', current: false, inputs: jpegs, decode: sharpJpeg, prep: preprocessFirstWritten },
    { input: 'DICOM', decoder: 'decodeInput (DICOM reader, modality + VOI, pixel hash)', preprocess: 'pp-1 today', current: true, inputs: slices, decode: dicomDecode, prep: preprocess },
    { input: 'DICOM', decoder: 'decodeInput (DICOM reader, modality + VOI, pixel hash)', preprocess: 'pp-1 as first written', current: false, inputs: slices, decode: dicomDecode, prep: preprocessFirstWritten },
  ];
  // Every path warmed first (JIT, WASM modules), then PASSES passes over all of them in turn; each row's figures
  // are the median of its passes, so a burst of noise on the machine does not land on one row only.
  for (const v of variants) await cpuOf(v.inputs, v.decode, v.prep, warmup, 0);
  const passes: Array<Array<Awaited<ReturnType<typeof cpuOf>>>> = variants.map(() => []);
  for (let p = 0; p < PASSES; p++) {
    for (const [k, v] of variants.entries()) passes[k]!.push(await cpuOf(v.inputs, v.decode, v.prep, n, 0));
  }
  const med = (xs: number[]) => round(stats(xs).median, 3)!;
  const rows: CpuRow[] = variants.map(({ inputs: _i, decode: _d, prep: _p, ...v }, k) => {
    const ps = passes[k]!;
    const r = { decodeMs: med(ps.map((x) => x.decodeMs)), preprocessMs: med(ps.map((x) => x.preprocessMs)), totalMs: med(ps.map((x) => x.totalMs)), wallMs: med(ps.map((x) => x.wallMs)) };
    log(`  ${v.input} ${v.decoder} + ${v.preprocess}: ${r.totalMs} ms CPU (decode ${r.decodeMs}, preprocess ${r.preprocessMs}), wall ${r.wallMs} ms`);
    return { ...v, ...r };
  });
  const px = await decodeImage(jpegs[0]!);
  return { images: n, passes: PASSES, warmup, size: `${px.width}×${px.height}`, rows };
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
  const latency = async (path: string) => {
    const c = await createClassifier(path, { threads: 1 });
    for (let i = 0; i < 20; i++) await c.run([pre[0]!.tensor]);
    const lat: number[] = [];
    for (let i = 0; i < (QUICK ? 60 : 200); i++) {
      const s = performance.now();
      await c.run([pre[i % pre.length]!.tensor]);
      lat.push(performance.now() - s);
    }
    await c.release();
    return stats(lat);
  };
  const modelOnly = { ...(await latency(SERVED_MODEL.path)), threads: 1, model: SERVED_MODEL.name };
  const modelOnlyFp32 = { ...(await latency(DEFAULT_MODEL_PATH)), threads: 1, model: 'fp32' };
  const one = await createClassifier(SERVED_MODEL.path, { threads: 1 });

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

  const cpuPerImage = await benchCpuPerImage(images);

  // (4a) raw batched throughput on pre-made tensors.
  log('onnxruntime-node: raw batched throughput');
  const rawBatched: NodeResults['rawBatched'] = [];
  const models = SERVED_MODEL.path === DEFAULT_MODEL_PATH ? [SERVED_MODEL] : [SERVED_MODEL, { name: 'fp32', path: DEFAULT_MODEL_PATH }];
  for (const model of models) {
    for (const threads of [1, availableParallelism()]) {
      const c = await createClassifier(model.path, { threads });
      for (const batch of [1, 16, 32]) {
        const tensors = Array.from({ length: batch }, (_, i) => pre[i % pre.length]!.tensor);
        await c.run(tensors);
        const { runs, seconds } = await timeFor(QUICK ? 800 : 2000, () => c.run(tensors));
        rawBatched.push({ model: model.name, threads, batch, imgPerSec: round((runs * batch) / seconds, 1)! });
      }
      await c.release();
    }
  }
  const best = (name: string) => rawBatched.filter((x) => x.model === name).reduce((a, b) => (b.imgPerSec > a.imgPerSec ? b : a));
  const rawCeiling = best(SERVED_MODEL.name);
  const rawCeilingFp32 = best('fp32');

  // (4a) in-process pipeline ceiling: the server's own model stack (decode + preprocess + batcher, inline
  // or on detect worker threads), no HTTP, no auth, no database. The best of 0, 1 and 2 workers.
  log('in-process pipeline ceiling');
  let pipelineCeiling: NodeResults['pipelineCeiling'] | null = null;
  const tried: Array<{ workers: number; imgPerSec: number }> = [];
  for (const workers of [0, 1, 2]) {
    const { threads, maxBatch, maxWaitMs } = serverDefaults();
    const opts = { threads, maxBatch, maxWaitMs, workers };
    const server = await createServerClassifier(SERVED_MODEL.path, opts);
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
  return { modelOnly, modelOnlyFp32, rawBatched, rawCeiling, rawCeilingFp32, endToEnd, cpuPerImage, pipelineCeiling: pipelineCeiling! };
}

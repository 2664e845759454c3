/// <reference lib="webworker" />
// Inference off the UI thread: decode → shared preprocessing → onnxruntime-web → shared interpretation.
// A DICOM file (sniffed by content, whatever its name) is read by the shared DICOM reader, loaded on first need.
// Sessions are created one execution provider at a time so the app knows which one actually runs.
import type * as Ort from 'onnxruntime-web';
import { IO_NAMES, INPUT_SIZE } from '../../models/core/contract.ts';
import { interpret } from '../../models/core/interpret.ts';
import { DECISION, MODEL_FILE, MODEL_INFO } from '../../models/core/model.ts';
import { preprocess, type Preprocessed } from '../../models/core/preprocess.ts';
import { decodeBlob } from '../lib/decode.ts';
import { CodecError, keepDicomChunks } from '../lib/codec-assets.ts';
import { isDicomBlob, type DicomInfo, type FrameRef, type HeaderAnswer } from '../lib/dicom-info.ts';
import type { SeriesSliceRequest, WorkerRequest, WorkerResponse } from '../lib/inference.ts';
import type { AnalysisResult } from '../lib/types.ts';
import { scoped } from './scope-answer.ts';
import { RUNTIME_CACHE, RUNTIME_FILES, assetUrl, type RuntimeKind } from '../lib/runtime.ts';

declare const self: DedicatedWorkerGlobalScope;

interface Loaded {
  ort: typeof Ort;
  session: Ort.InferenceSession;
  backend: 'WebGPU' | 'WASM';
  threads: number;
}
let loaded: Promise<Loaded> | null = null;

async function bytesOf(path: string): Promise<ArrayBuffer> {
  const url = assetUrl(path);
  const cached = 'caches' in self ? await (await caches.open(RUNTIME_CACHE)).match(url) : undefined;
  const res = cached ?? (await fetch(url));
  if (!res.ok) throw new Error(`Could not load ${path} (HTTP ${res.status}).`);
  return res.arrayBuffer();
}

async function load(kind: RuntimeKind, preferWasm: boolean, pinned?: number): Promise<Loaded> {
  const ort: typeof Ort = kind === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  const files = RUNTIME_FILES[kind];
  const all = self.crossOriginIsolated ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
  const threads = pinned ? Math.min(pinned, all) : all;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { mjs: assetUrl(files.mjs), wasm: assetUrl(files.wasm) };
  ort.env.wasm.wasmBinary = await bytesOf(files.wasm);
  ort.env.logLevel = 'error';
  const model = new Uint8Array(await bytesOf(MODEL_FILE));
  const errors: string[] = [];
  const providers: Array<'webgpu' | 'wasm'> = kind === 'webgpu' && !preferWasm ? ['webgpu', 'wasm'] : ['wasm'];
  for (const ep of providers) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [ep],
        graphOptimizationLevel: 'all',
      });
      return { ort, session, backend: ep === 'webgpu' ? 'WebGPU' : 'WASM', threads: ep === 'wasm' ? threads : 1 };
    } catch (err) {
      errors.push(`${ep}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`No execution provider could load the model (${errors.join('; ')}).`);
}

let reader: Promise<typeof import('./dicom-frames.ts')> | null = null;
/** The DICOM reader, fetched on the first DICOM (not precached) and then kept for offline use. */
const dicomReader = () =>
  (reader ??= import('./dicom-frames.ts').then(
    async (m) => {
      await keepDicomChunks().catch(() => undefined);
      return m;
    },
    (err: unknown) => {
      reader = null;
      throw new CodecError(
        'codec_unavailable',
        `This file is DICOM, and the DICOM reader is not on this device yet and could not be fetched (${err instanceof Error ? err.message : String(err)}). ` +
          'Connect to the network once and open the file again, or use Settings → “Prepare DICOM decoders for offline use”.',
      );
    },
  ));

/** A DICOM refused before any pixel is decoded (a modality other than MR): no model run, no diagnosis. */
function refusalOf(info: DicomInfo, backend: 'WebGPU' | 'WASM', totalMs: number): AnalysisResult {
  return {
    result: 'Not a brain MRI',
    label: null,
    probabilities: null,
    tumorProbability: null,
    mriProbability: 0,
    uncertain: false,
    model: MODEL_INFO,
    backend,
    ms: 0,
    totalMs,
    dicom: info,
  };
}

/**
 * A file read up to the model: its preprocessed input and how its answer is finished (a DICOM frame: its details, the
 * viewer's values and the validated scope), or already an answer (a DICOM of another modality: nothing decoded).
 */
type Prepared = { pre: Preprocessed; t0: number; finish: (r: AnalysisResult) => AnalysisResult } | { answer: AnalysisResult };

async function prepare(blob: Blob, ref: FrameRef | undefined, l: Loaded): Promise<Prepared> {
  const t0 = performance.now();
  if (!(await isDicomBlob(blob))) return { pre: preprocess(await decodeBlob(blob)), t0, finish: (r) => r };
  const { info, pixels, view, meta } = await (await dicomReader()).dicomFrame(blob, ref?.frame ?? 1, ref?.key, ref?.view);
  if (!pixels) return { answer: refusalOf(info, l.backend, performance.now() - t0) };
  // Outside the validated scope (its metadata say so): "Outside validated use", no diagnosis.
  return { pre: preprocess(pixels), t0, finish: (r) => scoped({ ...r, dicom: info, ...(view !== undefined ? { view } : {}) }, meta, ref?.where, pixels) };
}

async function analyse(blob: Blob, ref: FrameRef | undefined, l: Loaded): Promise<AnalysisResult> {
  const p = await prepare(blob, ref, l);
  if ('answer' in p) return p.answer;
  const [r] = await run([p], l);
  return p.finish(r!);
}

/**
 * The model on one or more preprocessed images in one session run ([n, 1, size, size]; a series goes in batches,
 * which costs far less a slice than one run each in WASM). `ms`: each image's share of the run.
 */
async function run(items: Array<{ pre: Preprocessed; t0: number }>, { ort, session, backend, threads }: Loaded): Promise<AnalysisResult[]> {
  const n = items.length;
  const px = INPUT_SIZE * INPUT_SIZE;
  const batch = new Float32Array(n * px);
  items.forEach(({ pre }, i) => batch.set(pre.tensor, i * px));
  const input = new ort.Tensor('float32', batch, [n, 1, INPUT_SIZE, INPUT_SIZE]);
  const t1 = performance.now();
  const out = await session.run({ [IO_NAMES.input]: input });
  const ms = (performance.now() - t1) / n;
  const probs = out[IO_NAMES.probabilities]?.data as Float32Array | undefined;
  const mri = out[IO_NAMES.mri]?.data as Float32Array | undefined;
  const camT = out[IO_NAMES.cam];
  if (!probs || !mri || probs.length < 4 * n) throw new Error('The model did not return the expected outputs.');
  const camSize = camT ? Number(camT.dims[camT.dims.length - 1]) : undefined;
  const camData = camT?.data as Float32Array | undefined;
  const camLen = camData ? camData.length / n : 0;
  const results = items.map(({ pre, t0 }, i): AnalysisResult => ({
    ...interpret({ probabilities: probs.subarray(4 * i, 4 * i + 4), mriProbability: mri[i] ?? 0, colourfulness: pre.colourfulness }, DECISION, MODEL_INFO),
    backend,
    threads,
    ms,
    totalMs: performance.now() - t0,
    pixels: pre.pixels,
    cam: camData ? Float32Array.from(camData.subarray(i * camLen, (i + 1) * camLen)) : undefined,
    camSize,
    crop: pre.crop,
    colourfulness: pre.colourfulness,
  }));
  for (const t of Object.values(out)) t.dispose();
  return results;
}

const post = (msg: WorkerResponse, transfer: Transferable[] = []) => self.postMessage(msg, transfer);

/** Series requests asked to stop (by id): checked between slices. */
const cancelled = new Set<number>();

/** The buffers of an answer that can move to the UI instead of being copied: crop, map, viewer values. */
function transferables(r: AnalysisResult): Transferable[] {
  const out = new Set<ArrayBufferLike>();
  for (const a of [r.pixels, r.cam, r.view?.values]) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out] as Transferable[];
}

/** Series reading: each file's header only (no pixel decoded), for the study list; not DICOM and no image are skips. */
async function headers(files: Blob[]): Promise<HeaderAnswer[]> {
  const out: HeaderAnswer[] = [];
  for (let index = 0; index < files.length; index++) {
    const blob = files[index]!;
    try {
      if (!(await isDicomBlob(blob))) {
        out.push({ index, ok: false, skip: 'not-dicom', message: 'not a DICOM file' });
        continue;
      }
      const header = (await dicomReader()).dicomHeader(new Uint8Array(await blob.arrayBuffer()));
      out.push({ index, ok: true, header });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'codec_unavailable') throw err;
      out.push({ index, ok: false, skip: code === 'no_image' ? 'no-image' : 'unreadable', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/** Slices of a series read before the model runs once on all of them. */
const SERIES_BATCH = 8;

/**
 * A series in batches: each slice read and preprocessed in turn, the model run once a batch, then each answer posted
 * (in order) as soon as its batch is done; cancel is looked at between slices. A slice that cannot be read is an error
 * answer of its own; a decoder that is not on the device stops the series (every slice would need it).
 */
async function analyseSeries(id: number, slices: SeriesSliceRequest[], view: boolean): Promise<boolean> {
  if (!loaded) throw Object.assign(new Error('The model is not loaded.'), { code: 'not_loaded' });
  const l = await loaded;
  const failed = (err: unknown) => ({ code: (err as { code?: string }).code ?? 'analysis_failed', message: err instanceof Error ? err.message : String(err) });
  for (let at = 0; at < slices.length; at += SERIES_BATCH) {
    if (cancelled.has(id)) return true;
    const group: Array<{ s: SeriesSliceRequest; p: Prepared | null; error?: { code: string; message: string } }> = [];
    for (const s of slices.slice(at, at + SERIES_BATCH)) {
      if (cancelled.has(id)) break;
      try {
        group.push({ s, p: await prepare(s.blob, { frame: s.frame, key: s.key, view, where: { index: s.index, count: slices.length } }, l) });
      } catch (err) {
        if ((err as { code?: string }).code === 'codec_unavailable') throw err;
        group.push({ s, p: null, error: failed(err) });
      }
    }
    const toRun = group.flatMap((g) => (g.p && !('answer' in g.p) ? [g.p] : []));
    let results: AnalysisResult[] = [];
    let runError: { code: string; message: string } | null = null;
    try {
      if (toRun.length) results = await run(toRun, l);
    } catch (err) {
      runError = failed(err);
    }
    let k = 0;
    for (const g of group) {
      if (!g.p) {
        post({ type: 'series-slice', id, index: g.s.index, error: g.error! });
      } else if ('answer' in g.p) {
        post({ type: 'series-slice', id, index: g.s.index, result: g.p.answer });
      } else if (runError) {
        k++;
        post({ type: 'series-slice', id, index: g.s.index, error: runError });
      } else {
        const result = g.p.finish(results[k++]!);
        post({ type: 'series-slice', id, index: g.s.index, result }, transferables(result));
      }
    }
  }
  return cancelled.has(id);
}

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const msg = e.data;
  if (msg.type === 'init') {
    loaded = load(msg.kind, msg.preferWasm, msg.threads);
    try {
      const l = await loaded;
      post({ type: 'ready', id: msg.id, backend: l.backend, threads: l.threads, crossOriginIsolated: self.crossOriginIsolated });
    } catch (err) {
      loaded = null;
      post({ type: 'error', id: msg.id, code: 'load_failed', message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'analyse') {
    try {
      if (!loaded) throw Object.assign(new Error('The model is not loaded.'), { code: 'not_loaded' });
      const result = await analyse(msg.blob, msg.ref, await loaded);
      post({ type: 'result', id: msg.id, result });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'analysis_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'prepare-dicom') {
    try {
      await (await dicomReader()).prepareAll();
      post({ type: 'prepared', id: msg.id });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'prepare_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'dicom-frame') {
    try {
      const reader = await dicomReader();
      const { info, pixels } = await reader.dicomFrame(msg.blob, msg.ref.frame, msg.ref.key);
      const backend = (await loaded?.catch(() => null))?.backend ?? 'WASM';
      const png = pixels ? await reader.framePng(pixels) : null;
      post({ type: 'dicom-frame', id: msg.id, info, png, refusal: pixels ? null : refusalOf(info, backend, 0) });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'analysis_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'deidentify') {
    try {
      const { deidentifyFiles } = await import('./deidentify-files.ts');
      post({ type: 'deidentified', id: msg.id, files: await deidentifyFiles(msg.files) });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'deidentify_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'cancel') {
    cancelled.add(msg.target);
    return;
  }
  if (msg.type === 'dicom-header') {
    try {
      post({ type: 'dicom-headers', id: msg.id, headers: await headers(msg.files) });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'header_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  if (msg.type === 'analyse-series') {
    try {
      const stopped = await analyseSeries(msg.id, msg.slices, msg.view);
      post({ type: 'series-done', id: msg.id, cancelled: stopped });
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'analysis_failed';
      post({ type: 'error', id: msg.id, code, message: err instanceof Error ? err.message : String(err) });
    } finally {
      cancelled.delete(msg.id);
    }
    return;
  }
  if (msg.type === 'bench') {
    try {
      if (!loaded) throw new Error('The model is not loaded.');
      const { ort, session } = await loaded;
      const input = new ort.Tensor('float32', new Float32Array(INPUT_SIZE * INPUT_SIZE).fill(0.3), [1, 1, INPUT_SIZE, INPUT_SIZE]);
      const times: number[] = [];
      for (let i = 0; i < msg.warmup + msg.runs; i++) {
        const t = performance.now();
        const out = await session.run({ [IO_NAMES.input]: input });
        // WebGPU outputs are read back to the CPU by run(); dispose them either way.
        for (const o of Object.values(out)) o.dispose();
        if (i >= msg.warmup) times.push(performance.now() - t);
      }
      post({ type: 'bench', id: msg.id, times });
    } catch (err) {
      post({ type: 'error', id: msg.id, code: 'bench_failed', message: err instanceof Error ? err.message : String(err) });
    }
  }
};

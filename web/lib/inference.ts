// The UI side of the inference worker: one worker, request/response by id.
import { CodedError } from '../../models/core/errors.ts';
import type { DicomInfo, FrameRef, HeaderAnswer } from './dicom-info.ts';
import type { AnalysisResult } from './types.ts';
import type { RuntimeKind } from './runtime.ts';

export type WorkerRequest =
  | { type: 'init'; id: number; kind: RuntimeKind; preferWasm: boolean; threads?: number }
  /** An image, or frame `ref.frame` of a DICOM file (sniffed by content in the worker; ref ignored for images). */
  | { type: 'analyse'; id: number; blob: Blob; ref?: FrameRef }
  /** A DICOM frame decoded for the server, as a PNG; needs no model. */
  | { type: 'dicom-frame'; id: number; blob: Blob; ref: FrameRef }
  /** Loads the DICOM reader and every codec, so that DICOM works offline; needs no model. */
  | { type: 'prepare-dicom'; id: number }
  | { type: 'bench'; id: number; warmup: number; runs: number }
  /** Series reading: the headers of many files (no pixel decoded), for the study list; needs no model. */
  | { type: 'dicom-header'; id: number; files: Blob[] }
  /** Every slice of a series, one after another; answered slice by slice (series-slice), then series-done. */
  | { type: 'analyse-series'; id: number; slices: SeriesSliceRequest[]; view: boolean }
  /** De-identified copies of DICOM files, for the server (one UID map for them all). */
  | { type: 'deidentify'; id: number; files: Blob[] }
  /** Stops the series request `target` after the slice it is on. */
  | { type: 'cancel'; id: number; target: number };

/** One slice of a series to analyse: a file (and frame), its place in the series. */
export interface SeriesSliceRequest {
  index: number;
  blob: Blob;
  frame: number;
  /** Keys the parsed file between a multi-frame file's frames. */
  key: string;
}

export type WorkerResponse =
  | { type: 'ready'; id: number; backend: 'WebGPU' | 'WASM'; threads: number; crossOriginIsolated: boolean }
  | { type: 'result'; id: number; result: AnalysisResult }
  | { type: 'bench'; id: number; times: number[] }
  /** png null: the file is refused (a modality other than MR) and `refusal` is the answer; nothing is to be sent. */
  | { type: 'dicom-frame'; id: number; info: DicomInfo; png: Blob | null; refusal: AnalysisResult | null }
  | { type: 'prepared'; id: number }
  | { type: 'error'; id: number; code: string; message: string }
  | { type: 'dicom-headers'; id: number; headers: HeaderAnswer[] }
  /** One slice of a series request: its answer (buffers transferred), or its error. */
  | { type: 'series-slice'; id: number; index: number; result?: AnalysisResult; error?: { code: string; message: string } }
  | { type: 'series-done'; id: number; cancelled: boolean }
  | { type: 'deidentified'; id: number; files: Blob[] };

/** A series request under way: its slices arrive through onSlice; `done` settles when the last has, or on cancel. */
export interface SeriesRun {
  done: Promise<{ cancelled: boolean }>;
  cancel(): void;
}

export type SeriesSliceAnswer = Extract<WorkerResponse, { type: 'series-slice' }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class InferenceError extends CodedError {}

export interface DicomFrameForServer {
  info: DicomInfo;
  /** The decoded 8-bit frame; null when the file is refused. */
  png: Blob | null;
  refusal: AnalysisResult | null;
}

export interface EngineInfo {
  backend: 'WebGPU' | 'WASM';
  threads: number;
  crossOriginIsolated: boolean;
}

type Pending = { resolve: (r: WorkerResponse) => void; onSlice?: (r: SeriesSliceAnswer) => void };

/** The error code of a request cut short by terminate(): not the image's fault. */
export const ENGINE_STOPPED = 'engine_stopped';

export class InferenceClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor(worker?: Worker) {
    this.worker = worker ?? new Worker(new URL('../workers/inference.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<WorkerResponse>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      if (e.data.type === 'series-slice') return p.onSlice?.(e.data); // a series answers slice by slice
      this.pending.delete(e.data.id);
      p.resolve(e.data);
    };
    this.worker.onerror = (e) => this.failPending('worker_crashed', e.message || 'The inference worker stopped.');
  }

  private send(req: DistributiveOmit<WorkerRequest, 'id'>, onSlice?: (r: SeriesSliceAnswer) => void, id = this.nextId++): Promise<WorkerResponse> {
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onSlice });
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  /** The headers of many files (parsed in the worker, no pixel decoded), in the files' order. */
  async dicomHeaders(files: Blob[]): Promise<HeaderAnswer[]> {
    const r = await this.send({ type: 'dicom-header', files });
    if (r.type === 'dicom-headers') return r.headers;
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  /**
   * Analyses a series' slices in the worker, in order; each answer comes to onSlice as soon as it is ready (its
   * pixels, map and view transferred, not copied). `view`: also the modality values for the viewer.
   */
  analyseSeries(slices: SeriesSliceRequest[], onSlice: (r: SeriesSliceAnswer) => void, view = true): SeriesRun {
    const id = this.nextId++;
    const done = this.send({ type: 'analyse-series', slices, view }, onSlice, id).then((r) => {
      if (r.type === 'series-done') return { cancelled: r.cancelled };
      throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
    });
    return { done, cancel: () => this.worker.postMessage({ type: 'cancel', id: this.nextId++, target: id } satisfies WorkerRequest) };
  }

  /** threads pins the WASM thread count (?threads=N, for the benchmark); default: all cores when cross-origin isolated. */
  async init(kind: RuntimeKind, preferWasm = false, threads?: number): Promise<EngineInfo> {
    const r = await this.send({ type: 'init', kind, preferWasm, threads });
    if (r.type === 'ready') return { backend: r.backend, threads: r.threads, crossOriginIsolated: r.crossOriginIsolated };
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  async analyse(blob: Blob, ref?: FrameRef): Promise<AnalysisResult> {
    const r = await this.send({ type: 'analyse', blob, ref });
    if (r.type === 'result') return r.result;
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  /** De-identified copies of a series' DICOM files, in their order, for POST /api/series (works without init). */
  async deidentify(files: Blob[]): Promise<Blob[]> {
    const r = await this.send({ type: 'deidentify', files });
    if (r.type === 'deidentified') return r.files;
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  /** Decodes one DICOM frame to a PNG for the server (works before, or without, init). */
  async dicomFrame(blob: Blob, ref: FrameRef): Promise<DicomFrameForServer> {
    const r = await this.send({ type: 'dicom-frame', blob, ref });
    if (r.type === 'dicom-frame') return { info: r.info, png: r.png, refusal: r.refusal };
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  async prepareDicom(): Promise<void> {
    const r = await this.send({ type: 'prepare-dicom' });
    if (r.type === 'prepared') return;
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  async bench(runs = 50, warmup = 5): Promise<number[]> {
    const r = await this.send({ type: 'bench', runs, warmup });
    if (r.type === 'bench') return r.times;
    throw r.type === 'error' ? new InferenceError(r.code, r.message) : new InferenceError('protocol', 'Unexpected answer.');
  }

  /** Stops the worker; requests still waiting fail with ENGINE_STOPPED (the caller may run them again). */
  terminate(): void {
    this.worker.terminate();
    this.failPending(ENGINE_STOPPED, 'The on-device engine was restarted.');
  }

  private failPending(code: string, message: string): void {
    for (const [id, p] of this.pending) p.resolve({ type: 'error', id, code, message });
    this.pending.clear();
  }
}

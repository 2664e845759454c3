// Server-side inference with onnxruntime-node: one session, batches of preprocessed images.
import { fileURLToPath } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { INPUT_CHANNELS, INPUT_SIZE, IO_NAMES } from '../core/contract.ts';
import { interpret, type Analysis, type Decision } from '../core/interpret.ts';
import { DECISION, INT8_BUILD, MODEL_FILE, MODEL_INFO } from '../core/model.ts';
import type { Preprocessed } from '../core/preprocess.ts';

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL(`../../public/${MODEL_FILE}`, import.meta.url));
/** The int8 build the server runs by default (MODEL_PRECISION=int8), or null when the card has none for this model. */
export const INT8_MODEL_PATH = INT8_BUILD ? fileURLToPath(new URL(`../../public/${INT8_BUILD.file}`, import.meta.url)) : null;

export interface RawBatch {
  probabilities: Float32Array; // [N, 4]
  mri: Float32Array; // [N, 1]
  cam: Float32Array; // [N, 1, h, w]
  camSize: [number, number];
}

export interface Classifier {
  /** Raw outputs for N tensors of INPUT_SIZE² floats. */
  run(tensors: Float32Array[]): Promise<RawBatch>;
  analyse(images: Preprocessed[]): Promise<Array<Analysis & { cam: Float32Array; camSize: [number, number] }>>;
  release(): Promise<void>;
}

let ortModule: Promise<typeof Ort> | undefined;

/**
 * onnxruntime-node's Linux library sends usage telemetry to Microsoft and keeps a device id under
 * ~/.cache/Microsoft unless ORT_DISABLE_TELEMETRY is set before it loads: hence the late import.
 * Nothing about a patient's images may leave the machine, not even usage counts.
 * Call it on the main thread before starting workers that load the runtime: a worker's process.env
 * is a private copy that the native library never reads.
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}

function loadOrt(): Promise<typeof Ort> {
  disableOrtTelemetry();
  return (ortModule ??= import('onnxruntime-node'));
}

export async function createClassifier(
  modelPath: string = DEFAULT_MODEL_PATH,
  { threads = 1, decision = DECISION, info = MODEL_INFO }: { threads?: number; decision?: Decision; info?: typeof MODEL_INFO } = {},
): Promise<Classifier> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const pixels = INPUT_SIZE * INPUT_SIZE * INPUT_CHANNELS;
  const run = async (tensors: Float32Array[]): Promise<RawBatch> => {
    const input = new Float32Array(tensors.length * pixels);
    tensors.forEach((t, i) => input.set(t, i * pixels));
    const out = await session.run({ [IO_NAMES.input]: new ort.Tensor('float32', input, [tensors.length, INPUT_CHANNELS, INPUT_SIZE, INPUT_SIZE]) });
    const cam = out[IO_NAMES.cam]!;
    return {
      probabilities: out[IO_NAMES.probabilities]!.data as Float32Array,
      mri: out[IO_NAMES.mri]!.data as Float32Array,
      cam: cam.data as Float32Array,
      camSize: [Number(cam.dims[2]), Number(cam.dims[3])],
    };
  };
  return {
    run,
    async analyse(images) {
      if (images.length === 0) return [];
      const raw = await run(images.map((p) => p.tensor));
      const camLen = raw.camSize[0] * raw.camSize[1];
      return images.map((p, i) => ({
        ...interpret({ probabilities: raw.probabilities.subarray(i * 4, i * 4 + 4), mriProbability: raw.mri[i]!, colourfulness: p.colourfulness }, decision, info),
        cam: raw.cam.slice(i * camLen, (i + 1) * camLen),
        camSize: raw.camSize,
      }));
    },
    release: () => session.release(),
  };
}

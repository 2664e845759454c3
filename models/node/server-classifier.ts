// The server's model: image bytes → answer. Settings come from api/config.ts (the one place with defaults).
// With workers the whole pipeline runs on
// worker threads, each with its own onnxruntime session and dynamic batcher; with workers = 0, on the
// event loop (one session behind one batcher).
import { createClassifier } from './classifier.ts';
import { createBatchingDetector, type Detected, type DetectOptions } from './detect-inline.ts';
import { createDetectPool } from './detect-pool.ts';

export interface ServerClassifier {
  /** options.heatmap / options.overlay add the heat map / its PNG overlay to the answer (off: the cheap path). */
  detect(bytes: Uint8Array, options?: DetectOptions): Promise<Detected>;
  release(): Promise<void>;
}

export interface ServerClassifierOptions {
  /** onnxruntime intra-op threads per session. */
  threads: number;
  /** Most images per inference (1 = no batching). */
  maxBatch: number;
  /** Longest wait for a batch to fill, ms. */
  maxWaitMs: number;
  /** Worker threads running decode + preprocess + inference (0 = on the event loop). */
  workers: number;
}

export async function createServerClassifier(
  modelPath: string,
  { threads, maxBatch, maxWaitMs, workers }: ServerClassifierOptions,
): Promise<ServerClassifier> {
  if (workers > 0) {
    const pool = createDetectPool(workers, { modelPath, threads, maxBatch, maxWaitMs });
    try {
      await pool.ready;
    } catch (err) {
      await pool.close();
      throw err;
    }
    return { detect: pool.detect, release: pool.close };
  }
  const model = await createClassifier(modelPath, { threads });
  return { detect: createBatchingDetector(model, { maxBatch, maxWaitMs }), release: () => model.release() };
}

/** What the API needs from a model: image bytes → answer. */
export type Detector = Pick<ServerClassifier, 'detect'>;

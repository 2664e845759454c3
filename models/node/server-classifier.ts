// The server's model: one onnxruntime-node session behind a dynamic batcher, with decode + preprocess
// on a worker-thread pool. Compatible with Pick<Classifier, 'analyse'>; prepare() is the extra step.
import { createBatcher, type BatchStats } from './batcher.ts';
import { createClassifier, DEFAULT_MODEL_PATH, type Classifier } from './classifier.ts';
import { createPreparePool, type Preparer } from './prepare-pool.ts';

export interface ServerClassifier extends Pick<Classifier, 'analyse'>, Pick<Preparer, 'prepare' | 'threadsReady'> {
  stats(): BatchStats;
  release(): Promise<void>;
}

export interface ServerClassifierOptions {
  /** onnxruntime intra-op threads. */
  threads?: number;
  /** Most images per inference (1 = no batching). */
  maxBatch?: number;
  /** Longest wait for a batch to fill, ms. */
  maxWaitMs?: number;
  /** Decode + preprocess threads (0 = on the event loop). */
  prepareWorkers?: number;
}

export async function createServerClassifier(
  modelPath: string = DEFAULT_MODEL_PATH,
  { threads = 1, maxBatch = 16, maxWaitMs = 2, prepareWorkers = 0 }: ServerClassifierOptions = {},
): Promise<ServerClassifier> {
  const model = await createClassifier(modelPath, { threads });
  const batcher = createBatcher(model, { maxBatch, maxWaitMs });
  const pool = createPreparePool(prepareWorkers);
  return {
    analyse: maxBatch > 1 ? batcher.analyse : model.analyse,
    prepare: pool.prepare,
    threadsReady: pool.threadsReady,
    stats: batcher.stats,
    async release() {
      await pool.close();
      await model.release();
    },
  };
}

/** What the API needs from a model: analyse(), and optionally prepare() (else decode + preprocess run inline). */
export type DetectModel = Pick<Classifier, 'analyse'> & Partial<Pick<Preparer, 'prepare'>>;

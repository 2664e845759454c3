// Worker thread of the detect pool: image bytes → decoded → preprocessed → batched inference → answer,
// all off the event loop. Each worker owns one onnxruntime session and its own dynamic batcher.
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchOptions } from './batcher.ts';
import { createClassifier } from './classifier.ts';
import { createBatchingDetector, type Detected, type DetectOptions } from './detect-inline.ts';

export interface DetectWorkerData extends Omit<BatchOptions, 'more'> {
  modelPath: string;
  threads: number;
}
/** options only when the caller asked for a heat map or overlay: the common message stays as small as it was. */
export type DetectRequest = { id: number; bytes: Uint8Array; options?: DetectOptions };
/** Release the session and let the thread end by itself (terminating it mid-load aborts the process). */
export type CloseRequest = { close: true };
export type DetectResponse =
  | { id: number; ok: true; analysis: Detected }
  | { id: number; ok: false; name: string; code: string | undefined; message: string };

const { modelPath, threads, maxBatch, maxWaitMs } = workerData as DetectWorkerData;
const model = await createClassifier(modelPath, { threads });
const detect = createBatchingDetector(model, { maxBatch, maxWaitMs });

parentPort!.on('message', async (msg: DetectRequest | CloseRequest) => {
  if ('close' in msg) {
    await model.release();
    parentPort!.close();
    return;
  }
  const { id, bytes, options } = msg;
  try {
    const answer: DetectResponse = { id, ok: true, analysis: await detect(bytes, options) };
    parentPort!.postMessage(answer);
  } catch (err) {
    const e = err as Error & { code?: string };
    const answer: DetectResponse = { id, ok: false, name: e?.name ?? 'Error', code: e?.code, message: e?.message ?? String(err) };
    parentPort!.postMessage(answer);
  }
});
parentPort!.postMessage({ ready: true });

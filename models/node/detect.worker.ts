// Worker thread of the detect pool: image bytes → decoded → preprocessed → batched inference → answer,
// all off the event loop. Each worker owns one onnxruntime session and its own dynamic batcher.
import { parentPort, workerData } from 'node:worker_threads';
import type { Analysis } from '../core/interpret.ts';
import type { BatchOptions } from './batcher.ts';
import { createClassifier } from './classifier.ts';
import { createBatchingDetector } from './detect-inline.ts';

export interface DetectWorkerData extends Omit<BatchOptions, 'more'> {
  modelPath: string;
  threads: number;
}
export type DetectRequest = { id: number; bytes: Uint8Array };
export type DetectResponse =
  | { id: number; ok: true; analysis: Analysis }
  | { id: number; ok: false; name: string; code: string | undefined; message: string };

const { modelPath, threads, maxBatch, maxWaitMs } = workerData as DetectWorkerData;
const model = await createClassifier(modelPath, { threads });
const detect = createBatchingDetector(model, { maxBatch, maxWaitMs });

parentPort!.on('message', async ({ id, bytes }: DetectRequest) => {
  try {
    const msg: DetectResponse = { id, ok: true, analysis: await detect(bytes) };
    parentPort!.postMessage(msg);
  } catch (err) {
    const e = err as Error & { code?: string };
    const msg: DetectResponse = { id, ok: false, name: e?.name ?? 'Error', code: e?.code, message: e?.message ?? String(err) };
    parentPort!.postMessage(msg);
  }
});
parentPort!.postMessage({ ready: true });

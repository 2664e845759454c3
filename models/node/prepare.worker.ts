// Worker thread of the prepare pool: image bytes → decoded → preprocessed, off the event loop.
import { parentPort } from 'node:worker_threads';
import { preprocess } from '../core/preprocess.ts';
import { decodeImage } from './decode.ts';

export type PrepareRequest = { id: number; bytes: Uint8Array };
export type PrepareResponse =
  | { id: number; ok: true; pixels: Uint8Array; tensor: Float32Array; size: number; crop: { x: number; y: number; width: number; height: number }; colourfulness: number }
  | { id: number; ok: false; name: string; code: string | undefined; message: string };

parentPort!.postMessage({ ready: true });
parentPort!.on('message', async ({ id, bytes }: PrepareRequest) => {
  try {
    const p = preprocess(await decodeImage(bytes));
    const msg: PrepareResponse = { id, ok: true, pixels: p.pixels, tensor: p.tensor, size: p.size, crop: p.crop, colourfulness: p.colourfulness };
    parentPort!.postMessage(msg, [p.pixels.buffer as ArrayBuffer, p.tensor.buffer as ArrayBuffer]);
  } catch (err) {
    const e = err as Error & { code?: string };
    const msg: PrepareResponse = { id, ok: false, name: e?.name ?? 'Error', code: e?.code, message: e?.message ?? String(err) };
    parentPort!.postMessage(msg);
  }
});

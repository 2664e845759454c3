// The dynamic batcher and the prepare pool: behaviour, not timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { Classifier } from '../../models/node/classifier.ts';
import { createBatcher } from '../../models/node/batcher.ts';
import { createPreparePool, inlinePreparer } from '../../models/node/prepare-pool.ts';
import { DecodeError } from '../../models/node/decode.ts';
import type { Preprocessed } from '../../models/core/preprocess.ts';

type Result = Awaited<ReturnType<Classifier['analyse']>>[number];

/** An image whose tensor carries its id in the first value; NaN marks a poisoned input. */
const image = (id: number): Preprocessed => ({
  pixels: new Uint8Array(4), tensor: Float32Array.of(id), size: 2, crop: { x: 0, y: 0, width: 2, height: 2 }, colourfulness: 0,
});

/** A stub model that records its batch sizes and answers each image with its id; any NaN fails the whole batch. */
function stubModel(delayMs = 1) {
  const calls: number[][] = [];
  const model: Pick<Classifier, 'analyse'> = {
    async analyse(images) {
      calls.push(images.map((p) => p.tensor[0]!));
      await new Promise((r) => setTimeout(r, delayMs));
      if (images.some((p) => Number.isNaN(p.tensor[0]))) throw new Error('bad tensor in batch');
      return images.map((p) => ({ label: `id-${p.tensor[0]}` }) as unknown as Result);
    },
  };
  return { model, calls };
}

describe('createBatcher', () => {
  it('batches concurrent calls into one inference and maps results back to each caller', async () => {
    const { model, calls } = stubModel();
    const b = createBatcher(model, { maxBatch: 16, maxWaitMs: 5 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => b.analyse([image(i)])));
    expect(calls).toEqual([[1, 2, 3, 4, 5]]);
    expect(results.map((r) => r.map((x) => x.label))).toEqual([['id-1'], ['id-2'], ['id-3'], ['id-4'], ['id-5']]);
    expect(b.stats()).toEqual({ batches: 1, images: 5, largest: 5 });
  });

  it('keeps a multi-image call together and in order', async () => {
    const { model } = stubModel();
    const b = createBatcher(model, { maxBatch: 8, maxWaitMs: 5 });
    const [a, c] = await Promise.all([b.analyse([image(1), image(2), image(3)]), b.analyse([image(4)])]);
    expect(a!.map((x) => x.label)).toEqual(['id-1', 'id-2', 'id-3']);
    expect(c!.map((x) => x.label)).toEqual(['id-4']);
  });

  it('never exceeds maxBatch; calls queued during a run form the next batch', async () => {
    const { model, calls } = stubModel(5);
    const b = createBatcher(model, { maxBatch: 4, maxWaitMs: 2 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => b.analyse([image(i)])));
    expect(results.map((r) => r[0]!.label)).toEqual(Array.from({ length: 10 }, (_, i) => `id-${i}`));
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThanOrEqual(4);
    expect(calls.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(calls.length).toBe(3);
  });

  it('a failing image fails only its own caller, not the batch', async () => {
    const { model } = stubModel();
    const b = createBatcher(model, { maxBatch: 16, maxWaitMs: 5 });
    const settled = await Promise.allSettled([b.analyse([image(1)]), b.analyse([image(NaN)]), b.analyse([image(3)])]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[0] as PromiseFulfilledResult<Result[]>).value[0]!.label).toBe('id-1');
    expect((settled[2] as PromiseFulfilledResult<Result[]>).value[0]!.label).toBe('id-3');
    expect(String((settled[1] as PromiseRejectedResult).reason)).toContain('bad tensor');
  });

  it('a lone call waits at most maxWaitMs, and an empty call resolves at once', async () => {
    const { model, calls } = stubModel(0);
    const b = createBatcher(model, { maxBatch: 16, maxWaitMs: 3 });
    expect(await b.analyse([])).toEqual([]);
    const t = performance.now();
    await b.analyse([image(7)]);
    expect(performance.now() - t).toBeLessThan(500);
    expect(calls).toEqual([[7]]);
  });
});

describe('createPreparePool', () => {
  const pool = createPreparePool(2);
  afterAll(() => pool.close());
  // Before a worker has started the pool works inline; wait for the threads so the test covers them.
  beforeAll(async () => {
    for (let i = 0; i < 200 && !pool.threadsReady(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pool.threadsReady()).toBeGreaterThan(0);
  }, 30_000);

  it('gives the same tensor as the inline pipeline, on worker threads', async () => {
    const png = await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([{ input: Buffer.from('<svg width="120" height="90"><ellipse cx="60" cy="45" rx="40" ry="30" fill="#aaa"/></svg>') }])
      .png().toBuffer();
    const bytes = new Uint8Array(png);
    const [a, b] = await Promise.all([pool.prepare(bytes), inlinePreparer.prepare(bytes)]);
    expect(a.crop).toEqual(b.crop);
    expect(Array.from(a.tensor)).toEqual(Array.from(b.tensor));
    expect(bytes.length).toBe(png.length); // the caller's bytes are not detached
  }, 30_000);

  it('answers many concurrent jobs, and a bad file rejects with a DecodeError (only that one)', async () => {
    const good = new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer());
    const jobs = [good, new TextEncoder().encode('not an image'), good, good].map((b) => pool.prepare(b));
    const settled = await Promise.allSettled(jobs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (settled[1] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(DecodeError);
    expect((reason as DecodeError).code).toBe('unsupported_type');
  }, 30_000);
});

// The dynamic batcher and the detect pool (the pipeline on worker threads): behaviour, not timing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createClassifier, DEFAULT_MODEL_PATH, type Classifier } from '../../models/node/classifier.ts';
import { createBatcher } from '../../models/node/batcher.ts';
import { createDetectPool } from '../../models/node/detect-pool.ts';
import { detectInline } from '../../models/node/detect-inline.ts';
import { DecodeError } from '../../models/node/decode.ts';
import { PreprocessError, type Preprocessed } from '../../models/core/preprocess.ts';
import { readSplits } from '../../models/node/evaluate.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';

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
  });

  it('runs at once when no more images are on their way, waits for company while some are', async () => {
    const { model, calls } = stubModel();
    let coming = false;
    const b = createBatcher(model, { maxBatch: 16, maxWaitMs: 300, more: () => coming });
    let t = performance.now();
    await b.analyse([image(1)]);
    expect(performance.now() - t).toBeLessThan(150);
    await new Promise((r) => setTimeout(r, 0)); // let that batch's run end
    coming = true;
    t = performance.now();
    const late = new Promise((r) => setTimeout(r, 50)).then(() => b.analyse([image(3)]));
    await Promise.all([b.analyse([image(2)]), late]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(250);
    expect(calls).toEqual([[1], [2, 3]]);
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

describe('createDetectPool', () => {
  const pool = createDetectPool(2, { modelPath: DEFAULT_MODEL_PATH, threads: 1, maxBatch: 8, maxWaitMs: 2 });
  let inline: Classifier;
  beforeAll(async () => {
    await pool.ready;
    inline = await createClassifier(DEFAULT_MODEL_PATH);
  }, 60_000);
  afterAll(async () => {
    await pool.close();
    await inline.release();
  });

  const ellipse = async (rx: number) => new Uint8Array(await sharp({ create: { width: 120, height: 90, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([{ input: Buffer.from(`<svg width="120" height="90"><ellipse cx="60" cy="45" rx="${rx}" ry="30" fill="#aaa"/></svg>`) }])
    .png().toBuffer());

  it('gives the same answer as the inline pipeline, on worker threads', async () => {
    const images = await Promise.all([40, 30, 50].map(ellipse));
    const fromPool = await Promise.all(images.map((b) => pool.detect(b)));
    const fromInline = await Promise.all(images.map((b) => detectInline(inline, b)));
    for (const [i, a] of fromPool.entries()) {
      const b = fromInline[i]!;
      expect(a.label).toBe(b.label);
      expect(a.result).toBe(b.result);
      expect(a.probabilities === null).toBe(b.probabilities === null);
      for (const [k, p] of Object.entries(b.probabilities ?? {})) expect(a.probabilities?.[k as keyof typeof b.probabilities]).toBeCloseTo(p, 5);
      expect(a.mriProbability).toBeCloseTo(b.mriProbability, 5);
    }
    expect(images[0]!.length).toBeGreaterThan(0); // the caller's bytes are not detached
  }, 30_000);

  it('a too-small image rejects with PreprocessError too_small from the worker, as inline', async () => {
    const tiny = new Uint8Array(await sharp({ create: { width: 48, height: 48, channels: 3, background: '#888' } }).png().toBuffer());
    const fromPool = await pool.detect(tiny).catch((e: unknown) => e);
    const fromInline = await detectInline(inline, tiny).catch((e: unknown) => e);
    for (const e of [fromPool, fromInline]) expect(e).toMatchObject({ name: 'PreprocessError', code: 'too_small' });
    expect(fromPool).toBeInstanceOf(PreprocessError);
  });

  it.runIf(available(hasData, 'the MRI data folder'))('passes the heat map and overlay back from the worker only when asked, equal to inline', async () => {
    const [row] = readSplits('models/splits/splits.csv').filter((r) => r.split === 'test' && r.source === 'brain-mri');
    const mri = new Uint8Array(readFileSync(join(DATA_DIR, row!.path)));
    const plain = await pool.detect(mri);
    expect(plain.result).not.toBe('Not a brain MRI');
    expect(plain).not.toHaveProperty('heatmap');
    expect(plain).not.toHaveProperty('overlay');
    const [asked, inlineAsked] = await Promise.all([pool.detect(mri, { heatmap: true, overlay: true }), detectInline(inline, mri, { heatmap: true, overlay: true })]);
    expect(asked.heatmap).toMatchObject({ width: 6, height: 6 });
    expect(asked.heatmap!.values).toHaveLength(36);
    for (const [i, v] of inlineAsked.heatmap!.values.entries()) expect(asked.heatmap!.values[i]).toBeCloseTo(v, 2);
    expect(asked.overlay).toMatch(/^data:image\/png;base64,/);
    expect((await pool.detect(mri, { heatmap: true })).overlay).toBeUndefined();
  }, 30_000);

  it('answers many concurrent jobs, and a bad file rejects with a DecodeError (only that one)', async () => {
    const good = await ellipse(40);
    const jobs = [good, new TextEncoder().encode('not an image'), good, good, ...Array(20).fill(good)].map((b: Uint8Array) => pool.detect(b));
    const settled = await Promise.allSettled(jobs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', ...Array(22).fill('fulfilled')]);
    const reason = (settled[1] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(DecodeError);
    expect((reason as DecodeError).code).toBe('unsupported_type');
  }, 30_000);

  it('refuses to start on a missing model, and refuses work once closed', async () => {
    const broken = createDetectPool(1, { modelPath: '/nonexistent/model.onnx', threads: 1, maxBatch: 1, maxWaitMs: 0 });
    await expect(broken.ready).rejects.toThrow();
    await broken.close();
    await expect(broken.detect(new Uint8Array(4))).rejects.toThrow(/closed/);
  }, 30_000);

  it('closes while a worker is still loading its model, and the process then exits normally', () => {
    // The second worker starts once the first is ready. Terminating a thread inside onnxruntime's session
    // creation aborts the process (SIGABRT) at exit, as the server's shutdown does right after close().
    // One child per moment of that load: before onnxruntime, inside session creation, loaded.
    const pool = new URL('../../models/node/detect-pool.ts', import.meta.url).href;
    const classifier = new URL('../../models/node/classifier.ts', import.meta.url).href;
    for (const ms of [0, 200, 300, 400, 500, 700]) {
      const script = `
        const { createDetectPool } = await import(${JSON.stringify(pool)});
        const { DEFAULT_MODEL_PATH } = await import(${JSON.stringify(classifier)});
        const p = createDetectPool(2, { modelPath: DEFAULT_MODEL_PATH, threads: 1, maxBatch: 1, maxWaitMs: 0 });
        await p.ready;
        await new Promise((r) => setTimeout(r, ${ms}));
        await p.close();
        console.log('closed cleanly');
        process.exit(0);`;
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { encoding: 'utf8', timeout: 60_000 });
      expect(run.signal, `closed ${ms} ms after ready: ${run.stderr}`).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('closed cleanly');
    }
  }, 180_000);
});

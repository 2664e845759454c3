import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { INPUT_SIZE, IO_NAMES, LABELS } from '../../models/core/contract.ts';
import { MIN_SIDE } from '../../models/core/limits.ts';
import { MODEL_CARD } from '../../models/core/model.ts';
import { PREPROCESS_VERSION } from '../../models/core/preprocess.ts';
import { DEFAULT_MODEL_PATH } from '../../models/node/classifier.ts';

describe('the shipped model, its card and the code agree', () => {
  it('card matches the contract in code', () => {
    expect(MODEL_CARD.labels).toEqual([...LABELS]);
    expect(MODEL_CARD.preprocessing).toBe(PREPROCESS_VERSION);
    expect(MODEL_CARD.input.shape).toEqual(['N', 1, INPUT_SIZE, INPUT_SIZE]);
    expect(Object.keys(MODEL_CARD.outputs)).toEqual([IO_NAMES.probabilities, IO_NAMES.mri, IO_NAMES.cam]);
    expect(MODEL_CARD.file).toMatch(new RegExp(`bigbrain-${MODEL_CARD.version.replace(/\./g, '\\.')}\\.onnx$`));
  });

  it('the card states the image size floor the code enforces, and why', () => {
    const md = readFileSync(new URL('../../models/MODEL_CARD.md', import.meta.url), 'utf8');
    const section = md.split('\n## ').find((s) => s.startsWith('Image size floor')) ?? '';
    expect(section).toContain(`under **${MIN_SIDE} px**`);
    expect(section).toMatch(/Why \d+:/);
    expect(section).toContain(`Why ${MIN_SIDE}:`);
    expect(MIN_SIDE).toBeGreaterThanOrEqual(64);
  });

  it('the file has the card sha256 and stays under 4 MB', () => {
    const bytes = readFileSync(DEFAULT_MODEL_PATH);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(MODEL_CARD.sha256);
    expect(statSync(DEFAULT_MODEL_PATH).size).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('the ONNX graph has the contract names, a dynamic batch axis and probability outputs', async () => {
    const session = await ort.InferenceSession.create(DEFAULT_MODEL_PATH);
    expect(session.inputNames).toEqual([IO_NAMES.input]);
    expect(session.outputNames).toEqual([IO_NAMES.probabilities, IO_NAMES.mri, IO_NAMES.cam]);
    const n = 3;
    const x = new Float32Array(n * INPUT_SIZE * INPUT_SIZE).map((_, i) => ((i * 2654435761) % 997) / 997);
    const out = await session.run({ [IO_NAMES.input]: new ort.Tensor('float32', x, [n, 1, INPUT_SIZE, INPUT_SIZE]) });
    expect(out[IO_NAMES.probabilities]!.dims).toEqual([n, 4]);
    expect(out[IO_NAMES.mri]!.dims).toEqual([n, 1]);
    expect(out[IO_NAMES.cam]!.dims).toEqual([n, 1, 6, 6]);
    const p = out[IO_NAMES.probabilities]!.data as Float32Array;
    for (let i = 0; i < n; i++) expect(p[4 * i]! + p[4 * i + 1]! + p[4 * i + 2]! + p[4 * i + 3]!).toBeCloseTo(1, 5);
    await session.release();
  });
});

// Recomputes the card's internal-test figures from the shipped ONNX file and the committed
// split lists, and checks that no internal-test image is a near-duplicate of a training image.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocess } from '../../models/core/preprocess.ts';
import { dHash, hammingDistance } from '../../models/core/phash.ts';
import { DECISION, MODEL_CARD } from '../../models/core/model.ts';
import { createClassifier } from '../../models/node/classifier.ts';
import { decodeImage } from '../../models/node/decode.ts';
import { metrics, predictRows, readSplits } from '../../models/node/evaluate.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';

const SPLITS = 'models/splits/splits.csv';
const POINTS = 0.003; // 0.3 percentage points

describe.runIf(available(hasData, `the MRI data folder (${DATA_DIR})`))('model card figures, recomputed', () => {
  const rows = readSplits(SPLITS).filter((r) => r.source !== 'nonmri');

  it('every listed image exists, with the listed sha256 groups kept apart', () => {
    const missing = rows.filter((r) => !existsSync(join(DATA_DIR, r.path)));
    expect(missing).toEqual([]);
    const splitOfGroup = new Map<number, string>();
    for (const r of readSplits(SPLITS)) {
      expect(splitOfGroup.get(r.group) ?? r.split).toBe(r.split);
      splitOfGroup.set(r.group, r.split);
    }
  });

  it('no internal-test image is a near-duplicate of a training image', async () => {
    const parse = (h: string): [number, number] => [parseInt(h.slice(8), 16), parseInt(h.slice(0, 8), 16)];
    const train = rows.filter((r) => r.split === 'train').map((r) => ({ hash: parse(r.dhash), sha: r.sha256 }));
    const trainSha = new Set(train.map((t) => t.sha));
    const test = rows.filter((r) => r.split === 'test');
    let near = 0;
    for (const r of test) {
      const bytes = readFileSync(join(DATA_DIR, r.path));
      const p = preprocess(await decodeImage(bytes));
      const h = dHash(p.pixels, p.size);
      if (trainSha.has(r.sha256) || train.some((t) => hammingDistance(t.hash, h) <= 2)) near++;
    }
    expect(near).toBe(0);
  }, 300_000);

  it('internal-test metrics match the card within 0.3 points', async () => {
    const classifier = await createClassifier(undefined, { threads: 2 });
    const preds = await predictRows(classifier, rows.filter((r) => r.split === 'test'), { data: DATA_DIR, nonmri: '' });
    await classifier.release();
    const m = metrics(preds, DECISION);
    const card = MODEL_CARD.metrics.test;
    const pairs: Array<[string, number, number]> = [
      ['binary accuracy', m.brainMri.binaryAccuracy.value, card.brainMri.binaryAccuracy.value],
      ['tumour sensitivity', m.brainMri.tumourSensitivity.value, card.brainMri.tumourSensitivity.value],
      ['specificity', m.brainMri.specificity.value, card.brainMri.specificity.value],
      ['4-class accuracy', m.brainMri.fourClassAccuracy.value, card.brainMri.fourClassAccuracy.value],
      ['binary-folder sensitivity', m.brainMriBinary.tumourSensitivity.value, card.brainMriBinary.tumourSensitivity.value],
      ['ROC AUC', m.brainMri.rocAuc, card.brainMri.rocAuc],
    ];
    console.log(`internal test, recomputed: ${pairs.map(([k, v]) => `${k} ${(100 * v).toFixed(2)} %`).join(', ')}`);
    for (const [name, got, want] of pairs) expect(Math.abs(got - want), name).toBeLessThanOrEqual(POINTS);
  }, 300_000);
});

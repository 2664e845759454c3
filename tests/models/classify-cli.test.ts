import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CARD, MODEL_INFO } from '../../models/core/model.ts';
import { readSplits, truthOf } from '../../models/node/evaluate.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';

const cli = (args: string[]) => spawnSync('npx', ['tsx', 'models/scripts/classify.ts', ...args], { encoding: 'utf8' });
const lines = (out: string) => out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('npm run classify', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bigbrain-cli-'));
    const noise = Buffer.from(Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 7919) % 251));
    await sharp(noise, { raw: { width: 128, height: 128, channels: 3 } }).png().toFile(join(dir, 'noise.png'));
    await sharp({ create: { width: 200, height: 150, channels: 3, background: '#ff8800' } }).jpeg().toFile(join(dir, 'orange.jpg'));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    writeFileSync(join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70]));
  });

  it('prints one JSON line per file, errors for unreadable ones, and fails the run', () => {
    const r = cli([dir]);
    const out = lines(r.stdout);
    expect(out.map((o) => o.file.split('/').pop())).toEqual(['broken.jpg', 'noise.png', 'notes.txt', 'orange.jpg']);
    expect(out[0].error).toMatch(/corrupt|truncated/i);
    expect(out[2].error).toMatch(/not a jpeg, png or webp/i);
    for (const o of [out[1], out[3]]) {
      expect(o.result).toBe('Not a brain MRI');
      expect(o.model).toEqual(MODEL_INFO);
      expect(Object.keys(o.probabilities)).toEqual(['glioma', 'meningioma', 'pituitary', 'notumor']);
      expect(typeof o.ms).toBe('number');
    }
    expect(r.status).toBe(1);
  }, 60_000);

  it.runIf(available(hasData, 'the MRI data folder'))('labels a fixed sample of real internal-test images as well as the card says', () => {
    // The first eight internal-test images of each class and folder, by split-list order. The model is not
    // perfect: the sample must be right at least as often as the lower 95 % bounds in the model card.
    const test = readSplits('models/splits/splits.csv').filter((r) => r.split === 'test' && r.source !== 'nonmri');
    const sample = ['glioma', 'meningioma', 'pituitary', 'notumor', 'tumor'].flatMap((t) => test.filter((r) => truthOf(r) === t).slice(0, 8));
    const out = execFileSync('npx', ['tsx', 'models/scripts/classify.ts', ...sample.map((r) => join(DATA_DIR, r.path))], { encoding: 'utf8' });
    const got = lines(out);
    expect(got).toHaveLength(sample.length);
    let resultsRight = 0, labelsRight = 0, labelled = 0;
    got.forEach((o, i) => {
      const truth = truthOf(sample[i]!);
      expect(o.file).toBe(join(DATA_DIR, sample[i]!.path));
      if (o.result === (truth === 'notumor' ? 'No Tumor' : 'Tumor')) resultsRight++;
      else console.warn(`miss: ${o.file} (${truth}) → ${o.result}`);
      if (truth !== 'tumor') {
        labelled++;
        if (o.label === truth) labelsRight++;
      }
    });
    const card = MODEL_CARD.metrics.test.brainMri;
    console.log(`fixed sample: Tumor/No Tumor right ${resultsRight}/${got.length}, 4-class label right ${labelsRight}/${labelled}`);
    expect(resultsRight).toBeGreaterThanOrEqual(Math.floor(card.binaryAccuracy.low * got.length));
    expect(labelsRight).toBeGreaterThanOrEqual(Math.floor(card.fourClassAccuracy.low * labelled));
  }, 60_000);
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CARD, MODEL_INFO } from '../../models/core/model.ts';
import { readSplits, truthOf } from '../../models/node/evaluate.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';
import { FAKE_PATIENT, sampleJpegs, variantFile } from '../support/dicom-fixtures.ts';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { multiFrameMr } from '../e2e/dicom-samples.ts';

const cli = (args: string[]) => spawnSync('npx', ['tsx', 'models/scripts/classify.ts', ...args], { encoding: 'utf8' });
const lines = (out: string) => out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('npm run classify', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bigbrain-cli-'));
    const noise = Buffer.from(Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 7919) % 251));
    await sharp(noise, { raw: { width: 128, height: 128, channels: 3 } }).png().toFile(join(dir, 'noise.png'));
    await sharp({ create: { width: 200, height: 150, channels: 3, background: '#ff8800' } }).jpeg().toFile(join(dir, 'orange.jpg'));
    // A 48-px icon-sized picture: under the size floor, refused before the model sees it.
    await sharp({ create: { width: 48, height: 48, channels: 3, background: '#777777' } }).png().toFile(join(dir, 'icon.png'));
    writeFileSync(join(dir, 'notes.txt'), 'not an image');
    writeFileSync(join(dir, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70]));
  });

  it('prints one JSON line per file, errors for unreadable ones, and fails the run', () => {
    const r = cli([dir]);
    const out = lines(r.stdout);
    expect(out.map((o) => o.file.split('/').pop())).toEqual(['broken.jpg', 'icon.png', 'noise.png', 'notes.txt', 'orange.jpg']);
    expect(out[0]).toMatchObject({ error: expect.stringMatching(/corrupt|truncated/i), code: 'corrupt_image' });
    // The same refusal and code as the server's 422 too_small: no result, no label.
    expect(out[1]).toEqual({ file: join(dir, 'icon.png'), error: expect.stringMatching(/48×48.*64 px/), code: 'too_small' });
    expect(out[3]).toMatchObject({ error: expect.stringMatching(/not a jpeg, png, webp or dicom/i), code: 'unsupported_type' });
    for (const o of [out[2], out[4]]) {
      // Refused as not an MRI: nothing about tumours, keys present and null.
      expect(o).toMatchObject({ result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, uncertain: false, model: MODEL_INFO });
      expect(typeof o.ms).toBe('number');
    }
    expect(r.status).toBe(1);
  }, 60_000);

  it('--heatmap adds no map to a refused image', () => {
    const out = lines(cli(['--heatmap', '--overlay', join(dir, 'noise.png')]).stdout);
    expect(out).toHaveLength(1);
    expect(out[0].result).toBe('Not a brain MRI');
    expect(out[0]).not.toHaveProperty('heatmap');
    expect(out[0]).not.toHaveProperty('overlay');
  }, 60_000);

  it.runIf(available(hasData, 'the MRI data folder'))('--heatmap adds the 6 × 6 evidence map, --overlay its PNG over the crop; plain runs carry neither', async () => {
    const [first] = readSplits('models/splits/splits.csv').filter((r) => r.split === 'test' && r.source === 'brain-mri');
    const file = join(DATA_DIR, first!.path);
    const [plain] = lines(cli([file]).stdout);
    const [mapped] = lines(cli(['--heatmap', file]).stdout);
    const [both] = lines(cli(['--heatmap', '--overlay', file]).stdout);
    expect(plain.result).toMatch(/^(Tumor|No Tumor)$/);
    expect(plain).not.toHaveProperty('heatmap');
    expect(mapped).not.toHaveProperty('overlay');
    for (const o of [mapped, both]) {
      expect({ ...o, ms: 0, heatmap: undefined, overlay: undefined }).toEqual({ ...plain, ms: 0, heatmap: undefined, overlay: undefined });
      expect(o.heatmap).toMatchObject({ width: 6, height: 6 });
      expect(o.heatmap.values).toHaveLength(36);
      expect(Math.min(...o.heatmap.values)).toBe(0);
      expect(Math.max(...o.heatmap.values)).toBe(Math.round(o.tumorProbability * 1000) / 1000); // weighted by P(tumour)
    }
    expect(both.heatmap).toEqual(mapped.heatmap);
    const png = Buffer.from(both.overlay.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 288, height: 288 });
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

describe.runIf(available(hasData, 'the MRI data folder (../shared/data)') && available(PYDICOM_TEST_FILES !== null, "pydicom's test files"))('npm run classify on DICOM', () => {
  it('reads DICOM by content (scanner file names, no extension): a line a frame with the dicom block, other modalities refused, the run goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bigbrain-cli-dicom-'));
    const jpegs = sampleJpegs(4);
    const greys = await Promise.all(jpegs.slice(0, 3).map(async (p) => {
      const { data, info } = await sharp(p).greyscale().resize(192, 192, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: info.width, height: info.height };
    }));
    writeFileSync(join(dir, 'IM0001'), variantFile('12bit', greys[0]!).bytes);
    writeFileSync(join(dir, 'IM0002'), multiFrameMr(greys));
    writeFileSync(join(dir, 'IM0003'), readFileSync(pydicomPath('CT_small.dcm')));
    writeFileSync(join(dir, 'IM0004'), readFileSync(pydicomPath('test-SR.dcm')));
    const r = cli([dir]);
    const out = lines(r.stdout);
    expect(out.map((o) => `${o.file.split('/').pop()}${o.frame ? `#${o.frame}` : ''}`)).toEqual(['IM0001', 'IM0002#1', 'IM0002#2', 'IM0002#3', 'IM0003', 'IM0004']);
    expect(out[0]).toMatchObject({ result: expect.stringMatching(/^(Tumor|No Tumor)$/), dicom: { modality: 'MR', frames: 1, window: { source: 'file' } } });
    for (const o of out.slice(1, 4)) expect(o).toMatchObject({ dicom: { modality: 'MR', frames: 3 } });
    // Frame 1 of the multi-frame file is the single-frame file's slice: the same answer.
    expect(out[1].probabilities).toEqual(out[0].probabilities);
    expect(out[4]).toMatchObject({ result: 'Not a brain MRI', label: null, code: 'not_mri', reason: expect.stringContaining('CT') });
    expect(out[5]).toMatchObject({ code: 'no_image' });
    expect(r.status).toBe(1);
    const { patientName, patientId, birthDate, institution, accession } = FAKE_PATIENT;
    for (const line of r.stdout.split('\n')) for (const v of [patientName, patientId, birthDate, institution, accession]) expect(line).not.toContain(v);
  });
});

// The server's int8 build (models/scripts/quantize.ts): the file the card describes, made from the shipped fp32
// model, the server's default, and the same answers as fp32 on real MRIs — over HTTP, from the real entry point.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { modelFileFor } from '../../api/model-file.ts';
import { INT8_BUILD, MODEL_CARD, MODEL_SHA256 } from '../../models/core/model.ts';
import { preprocess } from '../../models/core/preprocess.ts';
import { createClassifier, DEFAULT_MODEL_PATH, INT8_MODEL_PATH, type Classifier } from '../../models/node/classifier.ts';
import { decodeImage } from '../../models/node/decode.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';
import { startServer } from '../support/spawn-server.ts';

const card = MODEL_CARD as typeof MODEL_CARD & { int8: { file: string; sha256: string; bytes: number; forSha256: string; agreement: { images: number; sameResult: number } } };

/** Every 25th real MRI of each class folder: ~230 images. */
function realMris(): Array<{ name: string; bytes: Buffer }> {
  const out: Array<{ name: string; bytes: Buffer }> = [];
  for (const label of ['glioma', 'meningioma', 'notumor', 'pituitary']) {
    const dir = `${DATA_DIR}brain-mri/Training/${label}/`;
    readdirSync(dir).sort().forEach((f, i) => { if (i % 25 === 0) out.push({ name: `${label}/${f}`, bytes: readFileSync(dir + f) }); });
  }
  return out;
}

describe('the int8 build', () => {
  it('is the file the card describes, built from this very fp32 model, and the server’s default', () => {
    expect(INT8_BUILD).not.toBeNull();
    const bytes = readFileSync(INT8_MODEL_PATH!);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.int8.sha256);
    expect(bytes.length).toBe(card.int8.bytes);
    expect(card.int8.forSha256).toBe(MODEL_SHA256);
    expect(bytes.length).toBeLessThan(readFileSync(DEFAULT_MODEL_PATH).length / 3);
    expect(card.int8.agreement.sameResult).toBe(card.int8.agreement.images);
    expect(loadConfig({}).modelPrecision).toBe('int8');
    expect(loadConfig({ MODEL_PRECISION: 'fp32' }).modelPrecision).toBe('fp32');
    expect(() => loadConfig({ MODEL_PRECISION: 'fp16' })).toThrow(/MODEL_PRECISION must be int8 or fp32/);
    expect(modelFileFor(loadConfig({}))).toEqual({ path: INT8_MODEL_PATH, sha256: card.int8.sha256, build: 'int8' });
    expect(modelFileFor(loadConfig({ MODEL_PRECISION: 'fp32' }))).toEqual({ path: DEFAULT_MODEL_PATH, sha256: MODEL_SHA256, build: 'fp32' });
    expect(modelFileFor(loadConfig({ MODEL_PATH: '/m.onnx' }))).toMatchObject({ path: '/m.onnx', sha256: MODEL_SHA256, build: 'custom' });
  });

  describe.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('on real MRIs', () => {
    let fp32: Classifier, int8: Classifier;
    const images = hasData ? realMris() : [];
    beforeAll(async () => { [fp32, int8] = await Promise.all([createClassifier(DEFAULT_MODEL_PATH), createClassifier(INT8_MODEL_PATH!)]); });
    afterAll(async () => { await fp32?.release(); await int8?.release(); });

    it('gives fp32’s result on every image and its label on all but a few', async () => {
      let sameLabel = 0, maxDelta = 0;
      for (const img of images) {
        const p = preprocess(await decodeImage(img.bytes));
        const [[a], [b]] = await Promise.all([fp32.analyse([p]), int8.analyse([p])]);
        expect(b!.result, img.name).toBe(a!.result);
        if (b!.label === a!.label) sameLabel++;
        maxDelta = Math.max(maxDelta, Math.abs((b!.tumorProbability ?? 0) - (a!.tumorProbability ?? 0)));
      }
      console.log(`[int8] ${images.length} real MRIs: same result on all, same label on ${sameLabel}; max |ΔP(tumour)| ${maxDelta.toFixed(4)}`);
      expect(sameLabel).toBeGreaterThanOrEqual(images.length - 2);
      expect(maxDelta).toBeLessThan(0.1);
    }, 120_000);

    it('runs behind /detect by default (MODEL_PRECISION=fp32 gives the fp32 answers exactly)', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'bigbrain-int8-'));
      try {
        const answers: Record<string, Array<{ result: string; tumorProbability: number }>> = {};
        for (const precision of ['', 'fp32']) {
          const server = await startServer({ BIGBRAIN_DATA_DIR: join(dataDir, precision || 'int8'), MODEL_PRECISION: precision, BIGBRAIN_DIST_DIR: join(dataDir, 'no-dist') });
          try {
            expect(server.log()).toContain(precision === 'fp32' ? 'model fp32 build' : 'model int8 build');
            const { accessToken } = (await (await fetch(`${server.url}/authorization`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'int8@example.com', password: 'int8 password 123' }) })).json()) as { accessToken: string };
            answers[precision || 'int8'] = [];
            for (const img of images.slice(0, 12)) {
              const form = new FormData();
              form.append('file', new Blob([new Uint8Array(img.bytes)], { type: 'image/jpeg' }), 'x.jpg');
              const res = await fetch(`${server.url}/detect`, { method: 'POST', headers: { 'auth-token': accessToken }, body: form });
              expect(res.status).toBe(200);
              answers[precision || 'int8']!.push((await res.json()) as { result: string; tumorProbability: number });
            }
          } finally {
            await server.stop();
          }
        }
        let differ = 0;
        for (const [i, img] of images.slice(0, 12).entries()) {
          const [a] = await fp32.analyse([preprocess(await decodeImage(img.bytes))]);
          expect(answers.fp32![i]!.tumorProbability, img.name).toBe(a!.tumorProbability);
          expect(answers.int8![i]!.result, img.name).toBe(a!.result);
          if (answers.int8![i]!.tumorProbability !== a!.tumorProbability) differ++;
        }
        expect(differ).toBeGreaterThan(0); // really the other build (answers round to 4 decimals: confident ones agree)
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 180_000);
  });
});

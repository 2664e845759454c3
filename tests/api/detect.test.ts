// POST /detect with the real model (onnxruntime-node) and the shared pipeline: synthetic images that must be
// refused, and real MRIs from ../shared/data (skipped, visibly, when that folder is absent).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { LABELS } from '../../models/core/contract.ts';
import { MODEL_CARD, MODEL_FILE, MODEL_INFO, MODEL_SHA256 } from '../../models/core/model.ts';
import { createClassifier, DEFAULT_MODEL_PATH, type Classifier } from '../../models/node/classifier.ts';
import { expectErrorShape, makeApp, signUp, type TestApp } from './helpers.ts';
import { colourNoisePng, flatJpeg, realImages, SHARED_DATA, truncatedJpeg } from './images.ts';
import { available } from '../support/skip.ts';

let db: Db;
let classifier: Classifier;
let app: TestApp;
let token: string;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  classifier = await createClassifier(DEFAULT_MODEL_PATH);
  app = makeApp(db, { classifier });
  ({ token } = await signUp(app));
});
afterAll(async () => {
  await classifier.release();
  await db.close();
});

/** POSTs bytes the way the original clients do: multipart field `File`, token in `auth-token`. */
async function detect(app: TestApp, token: string, data: Uint8Array, type: string, name = 'scan', query = '') {
  const form = new FormData();
  form.set('File', new Blob([data as Uint8Array<ArrayBuffer>], { type }), name);
  const res = await app.request(`/detect${query}`, { method: 'POST', headers: { 'auth-token': token }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the served model', () => {
  it('is the file the model card describes (sha256)', async () => {
    const res = await app.request(`/${MODEL_FILE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const sha = createHash('sha256').update(new Uint8Array(await res.arrayBuffer())).digest('hex');
    expect(sha).toBe(MODEL_SHA256);
  });
});

describe('POST /detect refuses what is not a brain MRI', () => {
  it.each([
    ['colour noise', colourNoisePng],
    ['a flat colour', flatJpeg],
  ])('%s → 422 not_mri', async (_name, make) => {
    const { data, type } = await make();
    const { status, body } = await detect(app, token, data, type);
    expect(status).toBe(422);
    expectErrorShape(body);
    expect(body.code).toBe('not_mri');
  });

  it('a text file → 415 unsupported_type', async () => {
    const { status, body } = await detect(app, token, new TextEncoder().encode('not an image at all'), 'image/jpeg');
    expect(status).toBe(415);
    expect(body.code).toBe('unsupported_type');
  });

  it('a 48 × 48 icon-sized picture → 422 too_small, whatever the model would say', async () => {
    const icon = await sharp({ create: { width: 48, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: Buffer.from('<svg width="48" height="48"><rect x="8" y="16" width="10" height="16" fill="#333"/><path d="M18 16 L30 6 L30 42 L18 32 Z" fill="#333"/></svg>') }])
      .png().toBuffer();
    const { status, body } = await detect(app, token, new Uint8Array(icon), 'image/png');
    expect(status).toBe(422);
    expect(body).toEqual({ code: 'too_small', error: expect.stringMatching(/48×48/) });
  });

  it('a truncated JPEG → 422 corrupt_image', async () => {
    const { data, type } = await truncatedJpeg();
    const { status, body } = await detect(app, token, data, type);
    expect(status).toBe(422);
    expect(body.code).toBe('corrupt_image');
  });
});

const images = realImages(3);
describe.runIf(available(images.length > 0, `brain-MRI images under ${SHARED_DATA}`))('POST /detect on real MRIs from ../shared/data', () => {
  /** Filled by the first test: every image's answer, for the assertions below. */
  const answers: Array<{ file: string; label: (typeof LABELS)[number]; body: Record<string, unknown> }> = [];

  it('answers every real MRI with the contract shape from the served model', async () => {
    for (const { path, label } of images) {
      const { status, body } = await detect(app, token, readFileSync(path), 'image/jpeg', basename(path));
      expect(status, `${path}: ${JSON.stringify(body)}`).toBe(200);
      expect(body).toMatchObject({
        result: expect.stringMatching(/^(Tumor|No Tumor)$/),
        label: expect.toBeOneOf([...LABELS]),
        tumorProbability: expect.any(Number),
        uncertain: expect.any(Boolean),
        model: MODEL_INFO,
        ms: expect.any(Number),
      });
      expect(Object.keys(body.probabilities as object).sort()).toEqual([...LABELS].sort());
      expect(body.result === 'Tumor').toBe(body.label !== 'notumor');
      answers.push({ file: basename(path), label, body });
    }
    const right = answers.filter((a) => a.body.label === a.label).length;
    console.log(`real MRIs: ${right}/${answers.length} labelled as their folder (model ${MODEL_INFO.version})`);
  });

  it('?heatmap=1 gives the 6 × 6 evidence map scaled to [0, P(tumour)]; ?overlay=1 the same map and its PNG; the answer is unchanged', async () => {
    const { path } = images[0]!;
    const bytes = readFileSync(path);
    const plain = await detect(app, token, bytes, 'image/jpeg', basename(path));
    const mapped = await detect(app, token, bytes, 'image/jpeg', basename(path), '?heatmap=1');
    const both = await detect(app, token, bytes, 'image/jpeg', basename(path), '?overlay=1');
    for (const r of [plain, mapped, both]) expect(r.status).toBe(200);
    expect(plain.body).not.toHaveProperty('heatmap');
    const map = mapped.body.heatmap as { width: number; height: number; values: number[] };
    expect([map.width, map.height, map.values.length]).toEqual([6, 6, 36]);
    // its shape times P(tumour): 0 at the lowest activation, P(tumour) (3 decimals) at the highest
    expect([Math.min(...map.values), Math.max(...map.values)]).toEqual([0, Math.round((mapped.body.tumorProbability as number) * 1000) / 1000]);
    expect(both.body.heatmap).toEqual(map);
    const strip = (b: Record<string, unknown>) => ({ ...b, heatmap: undefined, overlay: undefined, ms: 0, id: '' });
    expect(strip(mapped.body)).toEqual(strip(plain.body));
    const png = Buffer.from((both.body.overlay as string).replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 288, height: 288 });
  });

  // The model is not perfect: the sample must be labelled at least as well as the lower 95 % bound
  // of the model card's internal-test 4-class accuracy; every miss is printed.
  it('labels real internal-test images as well as the model card says', () => {
    expect(answers).toHaveLength(images.length);
    const misses = answers.filter((a) => a.body.label !== a.label);
    for (const m of misses) console.warn(`miss: ${m.file} is ${m.label}, answered ${String(m.body.label)}`);
    const floor = Math.floor(MODEL_CARD.metrics.test.brainMri.fourClassAccuracy.low * answers.length);
    expect(answers.length - misses.length).toBeGreaterThanOrEqual(floor);
  });
});

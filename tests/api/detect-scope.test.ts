// POST /detect with DICOM outside the validated use (models/core/scope.ts): 200 "Outside validated use", the
// reasons, no diagnosis (label, probabilities, P(tumour) null, no heat map), stored without one; inside the scope, and
// for pictures, the original answers. Generated slices (models/scripts/dicom-write.ts) with a stub model: no data needed.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { imageFile, type ImageSpec } from '../../models/scripts/dicom-write.ts';
import { makeApp, signUp, type TestApp } from './helpers.ts';

const SAGITTAL = [0, 1, 0, 0, 0, -1];
const AXIAL = [1, 0, 0, 0, 1, 0];
const CORONAL = [1, 0, 0, 0, 0, -1];

/** A 128 × 128 slice, a bright disc on black, 1.8 mm pixels (a 230 mm field of view, the head 200 mm across). */
function slice(over: Partial<ImageSpec> = {}, n = 1): Uint8Array {
  const size = 128, pixels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - 64) ** 2 + (y - 64) ** 2 < 56 ** 2) pixels[y * size + x] = 90 + ((x * 7 + y * 13) % 60);
  return imageFile({
    rows: size, columns: size, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels,
    window: { center: 128, width: 256 },
    identity: { sopInstanceUid: `2.25.7${n}`, seriesUid: '2.25.70', studyUid: '2.25.71', seriesDescription: 'ax T2' },
    geometry: { imageOrientation: AXIAL, imagePosition: [0, 0, 0], pixelSpacing: [1.8, 1.8] },
    timing: { repetitionTime: 4000, echoTime: 100 },
    ...over,
  });
}

let db: Db;
let app: TestApp;
let token: string;
beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  app = makeApp(db);
  ({ token } = await signUp(app));
});
afterAll(async () => db?.close());

type Body = Record<string, unknown>;
async function post(bytes: Uint8Array, query = '', type = 'application/dicom') {
  const res = await app.request(`/detect${query}`, { method: 'POST', headers: { 'auth-token': token, 'content-type': type }, body: bytes as Uint8Array<ArrayBuffer> });
  return { status: res.status, body: (await res.json()) as Body };
}

describe('POST /detect: DICOM outside the validated use', () => {
  it('a sagittal slice: 200 "Outside validated use", outside ["sagittal"], no diagnosis and no heat map, even when asked for one', async () => {
    const { status, body } = await post(slice({ geometry: { imageOrientation: SAGITTAL, imagePosition: [0, 0, 0], pixelSpacing: [1.8, 1.8] }, identity: { seriesDescription: 'sag T2' } }), '?heatmap=1&overlay=1');
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: 'Outside validated use', outside: ['sagittal'], label: null, probabilities: null, tumorProbability: null, uncertain: false });
    expect(body).not.toHaveProperty('heatmap');
    expect(body).not.toHaveProperty('overlay');
    expect(body.dicom).toMatchObject({ modality: 'MR', frames: 1 });
    expect(typeof body.id).toBe('string');
    // Stored without a diagnosis.
    const list = await app.request('/api/detections', { headers: { 'auth-token': token } });
    const { items } = (await list.json()) as { items: Body[] };
    expect(items.find((d) => d.id === body.id)).toMatchObject({ result: 'Outside validated use', label: null, probabilities: null, tumorProbability: null });
  });

  it('names every reason: coronal, proton density, contrast-enhanced, diffusion, sagittal', async () => {
    const cases: Array<[Partial<ImageSpec>, string[]]> = [
      [{ geometry: { imageOrientation: CORONAL, pixelSpacing: [1.8, 1.8] } }, ['coronal']],
      [{ timing: { repetitionTime: 3000, echoTime: 15 }, identity: { seriesDescription: 'ax' } }, ['proton density']],
      [{ identity: { seriesDescription: 'AX T1 SE +C' }, timing: { repetitionTime: 500, echoTime: 10 } }, ['contrast-enhanced']],
      [{ identity: { seriesDescription: 'ep2d_diff_b1000 TRACE' } }, ['diffusion']],
      [{ identity: { seriesDescription: 't1_se_sag' }, timing: { repetitionTime: 500, echoTime: 10 }, geometry: { imageOrientation: SAGITTAL, pixelSpacing: [1.8, 1.8] } }, ['sagittal']],
    ];
    for (const [over, outside] of cases) {
      const { status, body } = await post(slice(over));
      expect(status).toBe(200);
      expect(body.result).toBe('Outside validated use');
      expect(body.outside).toEqual(outside);
    }
  });

  it('a slice with little head in a head-sized view is "edge of the head"', async () => {
    const size = 128, pixels = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - 64) ** 2 + (y - 64) ** 2 < 25 ** 2) pixels[y * size + x] = 120;
    const { body } = await post(slice({ pixels }));
    expect(body).toMatchObject({ result: 'Outside validated use', outside: ['edge of the head'] });
  });

  it('an axial T2 slice is in scope: the diagnosis, as before; so is a picture of a sagittal slice (no metadata)', async () => {
    const axial = await post(slice());
    expect(axial.status).toBe(200);
    expect(axial.body).toMatchObject({ result: 'Tumor', label: 'glioma' });
    expect(axial.body).not.toHaveProperty('outside');
    const png = await sharp({ create: { width: 128, height: 128, channels: 3, background: '#000' } })
      .composite([{ input: Buffer.from('<svg width="128" height="128"><circle cx="64" cy="64" r="56" fill="#888"/></svg>') }]).png().toBuffer();
    const picture = await post(new Uint8Array(png), '', 'image/png');
    expect(picture.status).toBe(200);
    expect(picture.body.result).toBe('Tumor');
  });

  it('a multi-frame file answers at the top level its most suspicious frame in scope; frames outside say why', async () => {
    // 12 axial frames of one disc: the first two and last two are the outer 20 % of the series (edge of the head).
    const size = 128, frames = 12, one = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - 64) ** 2 + (y - 64) ** 2 < 56 ** 2) one[y * size + x] = 100 + ((x + y) % 50);
    const pixels = new Uint8Array(size * size * frames);
    for (let f = 0; f < frames; f++) pixels.set(one, f * size * size);
    const { status, body } = await post(slice({ frames, pixels }));
    expect(status).toBe(200);
    const list = body.frames as Body[];
    expect(list.map((f) => f.result)).toEqual(['Outside validated use', 'Outside validated use', ...Array(8).fill('Tumor'), 'Outside validated use', 'Outside validated use']);
    expect(list[0]!.outside).toEqual(['edge of the head']);
    expect(body.result).toBe('Tumor');
    expect(body.frame).toBe(3);
  });
});

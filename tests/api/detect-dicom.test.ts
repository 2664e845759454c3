// POST /detect with DICOM, real model: raw application/dicom bodies and multipart files (any name, no extension),
// the `dicom` block, refusals by modality and by content, and the same answer as the slice rendered to PNG.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { DicomError, openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { createClassifier, DEFAULT_MODEL_PATH, type Classifier } from '../../models/node/classifier.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { detectInline } from '../../models/node/detect-inline.ts';
import { createServerClassifier } from '../../models/node/server-classifier.ts';
import { toGrey } from '../../models/core/preprocess.ts';
import { decodeImage } from '../../models/node/decode.ts';
import { FAKE_PATIENT, VARIANTS, readBytes, sampleJpegs, variantFile } from '../support/dicom-fixtures.ts';
import { available, hasData } from '../support/skip.ts';
import { multiFrameMr } from '../e2e/dicom-samples.ts';
import { readFileSync } from 'node:fs';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { expectErrorShape, makeApp, signUp, type TestApp } from './helpers.ts';

const pydicomFile = (name: string) => new Uint8Array(readFileSync(pydicomPath(name)));
const run = available(PYDICOM_TEST_FILES !== null, "pydicom's test files (apt-get install python3-pydicom)");

let db: Db;
let classifier: Classifier;
let app: TestApp;
let token: string;

beforeAll(async () => {
  if (!run) return;
  db = await openPglite();
  await migrate(db);
  classifier = await createClassifier(DEFAULT_MODEL_PATH);
  app = makeApp(db, { classifier });
  ({ token } = await signUp(app));
});
afterAll(async () => {
  await classifier?.release();
  await db?.close();
});

type Body = Record<string, unknown> & { dicom?: Record<string, unknown>; frames?: Array<Record<string, unknown>> };

async function postRaw(bytes: Uint8Array, type = 'application/dicom') {
  const res = await app.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': type }, body: bytes as Uint8Array<ArrayBuffer> });
  return { status: res.status, body: (await res.json()) as Body };
}

async function postFile(bytes: Uint8Array, field = 'File', name = 'IM000001') {
  const form = new FormData();
  form.set(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), name);
  const res = await app.request('/detect', { method: 'POST', headers: { 'auth-token': token }, body: form });
  return { status: res.status, body: (await res.json()) as Body };
}

/** The same UID length, another value: a transfer syntax no one defines. */
function withUnknownSyntax(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes);
  const at = text.indexOf('1.2.840.10008.1.2.1\0');
  expect(at).toBeGreaterThan(0);
  const out = bytes.slice();
  out.set(new TextEncoder().encode('1.2.840.10008.9.9.9'), at);
  return out;
}

describe.runIf(run)('POST /detect with DICOM', () => {
  it('MR_small (a 64 px phantom-like slice) gets the answer its own rendering gets as a PNG', async () => {
    const bytes = pydicomFile('MR_small.dcm');
    const frame = await renderFrame(openDicom(bytes), 1, nodeWasm);
    const png = await sharp(Buffer.from(frame.pixels.data), { raw: { width: frame.pixels.width, height: frame.pixels.height, channels: 1 } }).png().toBuffer();
    const asDicom = await postRaw(bytes);
    const asPng = await postRaw(new Uint8Array(png), 'image/png');
    expect(asDicom.status).toBe(asPng.status);
    const strip = ({ dicom: _dicom, ms: _ms, id: _id, ...rest }: Body) => rest;
    expect(strip(asDicom.body)).toEqual(strip(asPng.body));
    const { dicom } = asDicom.body;
    if (asDicom.status === 200) expect(dicom).toEqual({ modality: 'MR', transferSyntax: '1.2.840.10008.1.2.1', frames: 1, window: { center: 600, width: 1600, source: 'file' } });
  });

  it('takes a DICOM in the multipart field File with no extension, and every lossless syntax of MR_small answers alike', async () => {
    const reference = await postRaw(pydicomFile('MR_small.dcm'));
    for (const name of ['MR_small_RLE.dcm', 'MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_padded.dcm']) {
      const { status, body } = await postFile(pydicomFile(name));
      expect(status, `${name}: ${JSON.stringify(body)}`).toBe(reference.status);
      expect(body.probabilities ?? body.code, name).toEqual(reference.body.probabilities ?? reference.body.code);
    }
  });

  it.each([
    ['CT_small.dcm', 'CT'],
    ['rtdose.dcm', 'RTDOSE'],
    ['JPGExtended.dcm', 'NM'],
  ])('%s is refused as not a brain MRI, naming %s', async (name, modality) => {
    const { status, body } = await postRaw(pydicomFile(name));
    expect(status).toBe(422);
    expectErrorShape(body);
    expect(body.code).toBe('not_mri');
    expect(body.error).toContain(modality);
    expect(body).not.toHaveProperty('label');
  });

  it.each([
    ['test-SR.dcm', 422, 'no_image'],
    ['waveform_ecg.dcm', 422, 'no_image'],
    ['MR_truncated.dcm', 422, 'corrupt_image'],
  ])('%s → %i %s', async (name, status, code) => {
    const res = await postRaw(pydicomFile(name));
    expect(res.status).toBe(status);
    expectErrorShape(res.body);
    expect(res.body.code).toBe(code);
  });

  it('an unknown transfer syntax → 415 unsupported_transfer_syntax', async () => {
    const { status, body } = await postRaw(withUnknownSyntax(pydicomFile('MR_small.dcm')));
    expect(status).toBe(415);
    expect(body.code).toBe('unsupported_transfer_syntax');
    expect(body.error).toContain('1.2.840.10008.9.9.9');
  });

  it('echoes no patient data', async () => {
    const bytes = pydicomFile('MR_small.dcm');
    const file = openDicom(bytes);
    const { body } = await postRaw(bytes);
    const text = JSON.stringify(body);
    for (const v of [file.patient.name, file.patient.id, file.meta.sopInstanceUid, file.meta.studyInstanceUid, file.meta.seriesInstanceUid]) {
      if (v) expect(text).not.toContain(v);
    }
  });
});

const runReal = run && available(hasData, 'the MRI data folder (../shared/data)');

describe.runIf(runReal)('POST /detect with a real MRI slice written as DICOM', () => {
  it.each(VARIANTS)('%s: the same answer as the JPEG it was written from, with the dicom block', async (variant) => {
    const [path] = sampleJpegs(4).slice(1, 2);
    const jpeg = readBytes(path!);
    const px = await decodeImage(jpeg);
    const { grey } = toGrey(px);
    const { bytes } = variantFile(variant, { data: grey, width: px.width, height: px.height });
    const fromJpeg = await postRaw(jpeg, 'image/jpeg');
    const fromDicom = await postRaw(bytes);
    expect(fromDicom.status, JSON.stringify(fromDicom.body)).toBe(200);
    expect(fromDicom.body.result).toBe(fromJpeg.body.result);
    expect(fromDicom.body.label).toBe(fromJpeg.body.label);
    if (variant !== 'novoi') expect(fromDicom.body.probabilities).toEqual(fromJpeg.body.probabilities);
    expect(fromDicom.body.dicom).toMatchObject({ modality: 'MR', transferSyntax: '1.2.840.10008.1.2.1', frames: 1 });
    expect(fromDicom.body.dicom!.window).toMatchObject({ source: variant === 'novoi' ? 'auto' : 'file' });
    const text = JSON.stringify(fromDicom.body);
    for (const v of Object.values(FAKE_PATIENT)) expect(text).not.toContain(v);
  });
});

describe.runIf(run)('the detect worker pool reads DICOM as the inline pipeline does', () => {
  it('the same answer for a JPEG-LS MR, and the same DicomError for a CT', async () => {
    const pool = await createServerClassifier(DEFAULT_MODEL_PATH, { threads: 1, maxBatch: 4, maxWaitMs: 2, workers: 1 });
    try {
      const bytes = pydicomFile('MR_small_jpeg_ls_lossless.dcm');
      expect(await pool.detect(bytes)).toEqual(await detectInline(classifier, bytes));
      const err = await pool.detect(pydicomFile('CT_small.dcm')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DicomError);
      expect((err as DicomError).code).toBe('not_mri');
    } finally {
      await pool.release();
    }
  });
});

describe.runIf(runReal)('POST /detect with a multi-frame MR', () => {
  it('answers every frame in order, the most suspicious one at the top', async () => {
    const greys = await Promise.all(sampleJpegs(4).map(async (p) => {
      const px = await decodeImage(readBytes(p));
      return { data: toGrey(px).grey, width: px.width, height: px.height };
    }));
    const size = Math.min(...greys.map((g) => g.width), ...greys.map((g) => g.height));
    const same = await Promise.all(greys.map(async (g) => {
      const { data, info } = await sharp(Buffer.from(g.data), { raw: { width: g.width, height: g.height, channels: 1 } }).resize(size, size, { fit: 'fill' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      return { data: new Uint8Array(data), width: info.width, height: info.height };
    }));
    const { status, body } = await postRaw(multiFrameMr(same));
    expect(status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body.frames!.map((f) => f.frame)).toEqual([1, 2, 3, 4]);
    expect(body.dicom).toMatchObject({ modality: 'MR', frames: 4 });
    const top = Math.max(...body.frames!.map((f) => (f.tumorProbability as number | null) ?? -1));
    expect(body.tumorProbability).toBe(top);
    expect(body.frames![(body.frame as number) - 1]!.tumorProbability).toBe(top);
    // Each frame alone, as a single-frame file, gets the answer its row in the batch got.
    for (const [i, g] of same.entries()) {
      const single = await postRaw(variantFile('12bit', g).bytes);
      expect(single.body.probabilities).toEqual(body.frames![i]!.probabilities);
    }
  });
});

describe.runIf(runReal)('the history of a DICOM /detect', () => {
  it("keeps the rendered pixels' hash, not the file's: the same slice under two patients' names is one hash, and no answer carries it", async () => {
    const px = await decodeImage(readBytes(sampleJpegs(4)[2]!));
    const grey = { data: toGrey(px).grey, width: px.width, height: px.height };
    const a = variantFile('12bit', grey, 1).bytes;
    const b = new Uint8Array(a);
    const at = new TextDecoder('latin1').decode(b).indexOf(FAKE_PATIENT.patientName);
    b.set(new TextEncoder().encode('ROE^JOHN'), at);
    const [ra, rb] = [await postRaw(a), await postRaw(b)];
    expect(ra.status).toBe(200);
    expect(ra.body).not.toHaveProperty('pixelSha256');
    const res = await app.request('/api/detections?limit=2', { headers: { 'auth-token': token } });
    const { items } = (await res.json()) as { items: Array<{ id: string; imageSha256: string }> };
    const stored = (id: unknown) => items.find((d) => d.id === id)!.imageSha256;
    expect(stored(ra.body.id)).toBe(stored(rb.body.id));
    expect(stored(ra.body.id)).not.toBe(createHash('sha256').update(a).digest('hex'));
  });
});

// Bad DICOM at the server (issue 11): every case models/scripts/make-bad-dicom.ts generates, POSTed raw as
// application/dicom to /detect. None may get a 5xx; a case the reader refuses gets the 4xx and the code the
// contract gives its DicomError (415 unsupported syntax or image, 413 too large, 422 the rest), as JSON
// {error, code}; one it decodes is answered; bytes cut before they are recognisably DICOM get a 4xx as images. Afterwards the app still answers a good DICOM and a JPEG.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { DicomError, isDicom, openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { generatedBase, makeBadDicom, type BadCase } from '../../models/scripts/make-bad-dicom.ts';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { readBytes } from '../support/dicom-fixtures.ts';
import { available } from '../support/skip.ts';
import { expectErrorShape, makeApp, signUp, testConfig, type TestApp } from './helpers.ts';

const STATUS: Record<string, number> = { unsupported_transfer_syntax: 415, unsupported_image: 415, too_large: 413, corrupt_image: 422, no_image: 422, not_mri: 422 };

const many = { max: 100_000, windowMs: 60_000 };
let db: Db;
let app: TestApp;
let token: string;

beforeAll(async () => {
  db = await openPglite();
  await migrate(db);
  app = makeApp(db, { config: testConfig({ limits: { loginPerEmailIp: many, loginPerEmail: many, loginPerIp: many, detectPerUser: many } }) });
  ({ token } = await signUp(app));
});
afterAll(async () => {
  await db?.close();
});

const post = (bytes: Uint8Array, type = 'application/dicom') =>
  app.request('/detect', { method: 'POST', headers: { 'auth-token': token, 'content-type': type }, body: bytes as Uint8Array<ArrayBuffer> });

/** What the reader says of a case: the DicomError code, or null when every frame decodes. */
async function readerCode(bytes: Uint8Array): Promise<string | null> {
  try {
    const file = openDicom(bytes);
    for (let k = 1; k <= file.image.frames; k++) await renderFrame(file, k, nodeWasm);
    return null;
  } catch (e) {
    if (e instanceof DicomError) return e.code;
    throw e;
  }
}

async function postAll(cases: BadCase[]) {
  const problems: string[] = [];
  const statuses: Record<number, number> = {};
  let slowest = { name: '', ms: 0 };
  for (const { name, bytes } of cases) {
    const started = performance.now();
    const res = await post(bytes);
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { name, ms };
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const body = (await res.json()) as Record<string, unknown>;
    // Bytes cut before "DICM" are not recognisably DICOM: refused as an image would be (empty, unsupported type).
    const dicom = isDicom(bytes);
    const want = dicom ? await readerCode(bytes) : null;
    if (res.status >= 500) problems.push(`${name}: ${res.status} ${JSON.stringify(body)}`);
    else if (want !== null && (res.status !== STATUS[want] || body.code !== want)) problems.push(`${name}: ${res.status} ${String(body.code)}, the reader says ${want}`);
    else if (!dicom && res.status === 200) problems.push(`${name}: not DICOM, yet answered`);
    else if (res.status !== 200) {
      try {
        expectErrorShape(body);
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
      }
    }
    if (ms >= 1000) problems.push(`${name}: ${ms.toFixed(0)} ms`);
  }
  return { problems, statuses, slowest };
}

describe('POST /detect with bad DICOM', () => {
  const bases: Array<[string, () => Uint8Array]> = [['the generated slice', generatedBase]];
  if (available(PYDICOM_TEST_FILES !== null, "pydicom's test files (apt-get install python3-pydicom)")) {
    bases.push(["pydicom's MR_small.dcm", () => readBytes(pydicomPath('MR_small.dcm'))]);
  }

  it.each(bases)('every case on %s: a 4xx JSON {error, code} with the reader\'s code, or an answer; never a 5xx', async (label, base) => {
    const cases = makeBadDicom(base());
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const { problems, statuses, slowest } = await postAll(cases);
    console.log(`POST /detect, bad DICOM on ${label}: ${cases.length} cases, statuses ${JSON.stringify(statuses)}, slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms`);
    expect(problems).toEqual([]);
    expect(Object.keys(statuses).some((s) => Number(s) >= 400)).toBe(true);
  }, 120_000);

  it('still answers a good DICOM and a JPEG afterwards', async () => {
    const dicom = await post(generatedBase());
    expect(dicom.status).toBe(200);
    expect(await dicom.json()).toMatchObject({ result: 'Tumor', dicom: { modality: 'MR', frames: 1 } });
    const jpeg = await sharp({ create: { width: 128, height: 128, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
    const image = await post(new Uint8Array(jpeg), 'image/jpeg');
    expect(image.status).toBe(200);
    expect(await image.json()).toMatchObject({ result: 'Tumor', label: 'glioma' });
  });
});

// The file side of series reading, no model needed (the stub classifier): one file → its slices (a multi-frame file a
// slice a frame), what is skipped and why; DICOMDIR read by content, its references resolved below its folder only,
// matched case-insensitively; the answers of a multi-frame series in frame order.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDicomdir, MEDIA_STORAGE_DIRECTORY, readDicomdir } from '../../models/core/dicom/index.ts';
import { seriesAnswers } from '../../models/core/series/index.ts';
import { detectInline } from '../../models/node/detect-inline.ts';
import { listSeriesFiles } from '../../models/node/series-files.ts';
import { analyseSeriesFile } from '../../models/node/series.ts';
import { fromElements, imageFile, sequence, str, type ImageSpec } from '../../models/scripts/dicom-write.ts';
import { stubClassifier } from '../api/helpers.ts';

const detect = (b: Uint8Array) => detectInline(stubClassifier, b);
const head = (i: number, n = 128) => Uint8Array.from({ length: n * n }, (_, k) => {
  const x = (k % n) / n - 0.5, y = Math.floor(k / n) / n - 0.5;
  return x * x + y * y < 0.16 ? 80 + ((k * 7 + i * 13) % 120) : 0;
});
const spec = (over: Partial<ImageSpec> = {}): ImageSpec => ({
  rows: 128, columns: 128, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels: head(0),
  identity: { studyUid: '2.25.5', seriesUid: '2.25.5.1', sopInstanceUid: '2.25.5.1.1', seriesDescription: 'T1 AX' },
  geometry: { seriesNumber: 1, instanceNumber: 1, imagePosition: [0, 0, 0], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [1.5, 1.5] },
  timing: { repetitionTime: 500, echoTime: 10 },
  ...over,
});

/** A DICOMDIR written by hand (PS3.10): records for the given Referenced File IDs ("\\"-separated). */
function dicomdir(ids: string[]): Uint8Array {
  const records = ids.map((id) => new Uint8Array([...str(0x0004, 0x1430, 'CS', 'IMAGE'), ...str(0x0004, 0x1500, 'CS', id)]));
  return fromElements([[0x00041220, sequence(0x0004, 0x1220, records)]], { sopClass: MEDIA_STORAGE_DIRECTORY, sopInstance: '2.25.999' });
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('analyseSeriesFile', () => {
  it('gives a multi-frame file one slice a frame, ids by frame, answered in frame order', async () => {
    const frames = 3;
    const pixels = new Uint8Array(128 * 128 * frames);
    for (let f = 0; f < frames; f++) pixels.set(head(f), f * 128 * 128);
    const o = await analyseSeriesFile('mf.dcm', imageFile(spec({ frames, pixels })), detect);
    expect(o.skipped).toBeUndefined();
    expect(o.slices.map((s) => [s.slice.id, s.slice.frame])).toEqual([['mf.dcm#1', 1], ['mf.dcm#2', 2], ['mf.dcm#3', 3]]);
    const [a] = seriesAnswers(o.slices);
    expect(a!.series.slices).toBe(3);
    expect(a!.slices.map((l) => l.frame)).toEqual([1, 2, 3]);
  });

  it('skips what is not a slice, and names the error of a broken file', async () => {
    expect(await analyseSeriesFile('notes.txt', new TextEncoder().encode('hello'), detect)).toEqual({ slices: [], skipped: 'not DICOM' });
    expect(await analyseSeriesFile('DICOMDIR', dicomdir(['DICOM\\IM1']), detect)).toEqual({ slices: [], skipped: 'no image' });
    const cut = imageFile(spec()).slice(0, 600);
    const broken = await analyseSeriesFile('cut', cut, detect);
    expect(broken).toMatchObject({ slices: [], skipped: 'corrupt_image', error: { code: 'corrupt_image' } });
    const ct = await analyseSeriesFile('ct', imageFile(spec({ modality: 'CT' })), detect);
    expect(ct.slices.map((s) => s.answer)).toEqual([{ id: 'ct', result: 'Outside validated use', tumorProbability: null, label: null, outside: ['CT, not MR'] }]);
  });
});

describe('DICOMDIR', () => {
  it('is recognised by its SOP class, not its name, and gives safe relative paths only', () => {
    const bytes = dicomdir(['DICOM\\ST1\\IM1', '..\\..\\etc\\passwd', 'DICOM\\ST1\\IM2']);
    expect(isDicomdir(bytes)).toBe(true);
    expect(isDicomdir(imageFile(spec()))).toBe(false);
    expect(isDicomdir(new TextEncoder().encode('DICOMDIR'))).toBe(false);
    expect(readDicomdir(bytes)).toEqual([{ type: 'IMAGE', path: 'DICOM/ST1/IM1' }, { type: 'IMAGE', path: 'DICOM/ST1/IM2' }]);
    expect(() => readDicomdir(bytes.slice(0, bytes.length - 9))).toThrow();
  });

  it('is followed below its folder, names matched whatever their case; missing files are reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bigbrain-dicomdir-'));
    dirs.push(dir);
    const cd = join(dir, 'cd');
    mkdirSync(join(cd, 'dicom', 'st1'), { recursive: true });
    writeFileSync(join(cd, 'dicom', 'st1', 'im1'), imageFile(spec()));
    writeFileSync(join(dir, 'outside'), imageFile(spec()));
    writeFileSync(join(cd, 'ANYNAME'), dicomdir(['DICOM\\ST1\\IM1', 'DICOM\\ST1\\IM9', '..\\outside']));
    const listed = listSeriesFiles([join(cd, 'ANYNAME')]);
    expect(listed.files).toEqual([join(cd, 'dicom', 'st1', 'im1')]);
    expect(listed.dicomdirs).toEqual([join(cd, 'ANYNAME')]);
    expect(listed.missing).toEqual([join(cd, 'DICOM/ST1/IM9')]);
    // The folder and its DICOMDIR together: each file once.
    expect(listSeriesFiles([cd]).files).toEqual([join(cd, 'dicom', 'st1', 'im1')]);
  });
});

// npm run classify -- --series on series written at test time from ../shared JPEGs: a mixed folder of two studies and
// five series, files with meaningless names in a shuffled order, non-DICOM files among them; the same files on a
// "patient CD" with a DICOMDIR written by dcmtk's dcmmkdir; the healthy real series of brain-mri-normal-dicom.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERIES_RULE } from '../../models/core/model.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { mixedFolder, UIDS, type SeriesFixture } from '../support/series-fixtures.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';

const hasDcmmkdir = spawnSync('sh', ['-c', 'command -v dcmmkdir'], { stdio: 'ignore' }).status === 0;
const cli = (args: string[]) => spawnSync('npx', ['tsx', 'models/scripts/classify.ts', '--series', ...args], { encoding: 'utf8' });
const lines = (out: string) => out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('npm run classify -- --series', () => {
  let fx: SeriesFixture;
  let out: Array<Record<string, unknown> & { keySlices?: Array<{ file: string }> }> = [];
  let stderr = '';
  let stdout = '';
  const base = (f: string) => f.split('/').pop()!;
  const series = (uid: string) => out.find((o) => o.seriesInstanceUID === uid && 'slices' in o && typeof o.slices === 'number')!;
  const sliceLines = (uid: string) => out.filter((o) => o.seriesInstanceUID === uid && 'index' in o);

  beforeAll(async () => {
    fx = await mixedFolder();
    const r = cli(['--slices', fx.dir]);
    ({ stdout, stderr } = r);
    expect(r.status, stderr).toBe(0);
    out = lines(stdout);
  }, 180_000);
  afterAll(() => fx?.remove());

  it('groups the mixed folder into two studies and five series, in study then series-number order', () => {
    const seriesLines = out.filter((o) => typeof o.slices === 'number');
    expect(seriesLines.map((o) => [o.studyInstanceUID, o.seriesInstanceUID, o.slices])).toEqual([
      [UIDS.studyA, UIDS.clear, 16], [UIDS.studyA, UIDS.tumour, 20], [UIDS.studyA, UIDS.sagittal, 6],
      [UIDS.studyB, UIDS.single, 12], [UIDS.studyB, UIDS.ct, 2],
    ]);
    for (const o of seriesLines) expect(Object.keys(o)).toEqual(expect.arrayContaining(['studyInstanceUID', 'seriesInstanceUID', 'description', 'slices', 'result', 'tumorProbability', 'uncertain', 'label', 'keySlices']));
  });

  it('finds the three tumour slices among seventeen: Tumor, the key slices are the tumour files, most suspicious first', () => {
    const s = series(UIDS.tumour);
    expect(s).toMatchObject({ result: 'Tumor', uncertain: false, description: 'T1 AX SE', orientation: 'axial', counted: 16, outside: { 'edge of the head': 4 } });
    expect(s.tumorProbability as number).toBeGreaterThan(SERIES_RULE.uncertainBand[1]);
    expect(['glioma', 'meningioma', 'pituitary']).toContain(s.label);
    const keys = s.keySlices as Array<{ file: string; instance: number; frame: null; tumorProbability: number }>;
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(fx.byName.get(base(k.file))!.tumour).toBe(true);
    expect(keys.map((k) => k.tumorProbability)).toEqual([...keys.map((k) => k.tumorProbability)].sort((a, b) => b - a));
    expect(keys[0]).toMatchObject({ frame: null, instance: fx.byName.get(base(keys[0]!.file))!.instance });
  });

  it('orders slices along the normal, whatever the names, the file order or the Instance Numbers', () => {
    const ls = sliceLines(UIDS.tumour);
    expect(ls.map((l) => l.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(ls.map((l) => fx.byName.get(base(l.file as string))!.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Instance Numbers run the other way in this series: the positions won.
    expect(ls.map((l) => l.instance)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(ls.map((l) => (l.result === 'Tumor' ? 'T' : l.result === 'No Tumor' ? '-' : 'o')).join('')).toBe('oo-------TTT------oo');
    // Without Image Position / Orientation: by Instance Number.
    expect(sliceLines(UIDS.clear).map((l) => l.instance)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('answers a clear series No Tumor, one tumour slice alone not Tumor (its slice first among the key slices)', () => {
    expect(series(UIDS.clear)).toMatchObject({ result: 'No Tumor', label: 'notumor', uncertain: false });
    const single = series(UIDS.single);
    expect(single.result).not.toBe('Tumor');
    expect(fx.byName.get(base(single.keySlices![0]!.file))!.tumour).toBe(true);
  });

  it('gives a series with no slice in scope Outside validated use with the reasons counted; another modality too', () => {
    expect(series(UIDS.sagittal)).toMatchObject({ result: 'Outside validated use', tumorProbability: null, label: null, counted: 0, keySlices: [] });
    expect((series(UIDS.sagittal).outside as Record<string, number>).sagittal).toBe(6);
    expect(series(UIDS.ct)).toMatchObject({ result: 'Outside validated use', outside: { 'CT, not MR': 2 } });
  });

  it('skips non-DICOM files with a count on stderr, and prints no patient data', () => {
    expect(stderr).toMatch(/58 files read; skipped 2 \{"not DICOM":2\}/);
    for (const v of Object.values(FAKE_PATIENT).filter((v) => v !== FAKE_PATIENT.seriesDescription && v.length > 2)) expect(stdout).not.toContain(v);
  });

  it.runIf(available(hasDcmmkdir, "dcmtk's dcmmkdir"))('reads a patient CD by its DICOMDIR (dcmmkdir) alike', () => {
    const cd = join(fx.dir, 'CD');
    const sub = join(cd, 'DICOM', 'ST000001');
    mkdirSync(sub, { recursive: true });
    for (const [name, w] of fx.byName) if (w.seriesUid === UIDS.tumour || w.seriesUid === UIDS.single) writeFileSync(join(sub, name), w.bytes);
    const made = spawnSync('dcmmkdir', ['+I', '+r', '+id', cd, '+D', join(cd, 'DICOMDIR'), 'DICOM'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const viaDir = cli([join(cd, 'DICOMDIR')]);
    expect(viaDir.status, viaDir.stderr).toBe(0);
    expect(viaDir.stderr).toMatch(/32 files read \(1 DICOMDIR followed\); skipped 0/);
    const got = lines(viaDir.stdout);
    const want = out.filter((o) => o.seriesInstanceUID === UIDS.tumour || o.seriesInstanceUID === UIDS.single).filter((o) => typeof o.slices === 'number');
    const strip = (o: Record<string, unknown>) => ({ ...o, keySlices: (o.keySlices as Array<{ file: string }>).map((k) => ({ ...k, file: base(k.file) })) });
    expect(got.map(strip)).toEqual(want.map(strip));
  }, 60_000);
});

describe.runIf(available(hasData, 'the healthy real series (../shared/data/brain-mri-normal-dicom)'))('the healthy real series', () => {
  it('never come back Tumor', () => {
    const r = cli([`${DATA_DIR}brain-mri-normal-dicom`]);
    expect(r.status, r.stderr).toBe(0);
    const got = lines(r.stdout);
    expect(got).toHaveLength(6);
    for (const s of got) expect(s.result, JSON.stringify(s)).not.toBe('Tumor');
  }, 120_000);
});

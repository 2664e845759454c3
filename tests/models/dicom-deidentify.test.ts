// De-identified copies for the server (issue 13, POST /api/series): a series of generated files carrying the fake
// patient, transcoded by dcmtk and gdcm into native (explicit, implicit, big endian, deflated) and encapsulated
// (RLE, JPEG lossless, JPEG-LS, JPEG 2000) syntaxes. Each copy must parse, render to the very same pixels, group
// into the same series in the same order, and hold none of the patient's identity or the original UIDs in its bytes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deidentify } from '../../models/core/dicom/deidentify.ts';
import { openDicom, renderFrame, type DicomImageFile, type SliceMeta } from '../../models/core/dicom/index.ts';
import { groupIntoSeries, type SeriesSlice } from '../../models/core/series/index.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { fromElements, imageElements, sequence, str, type ImageSpec } from '../../models/scripts/dicom-write.ts';
import { FAKE_PATIENT, fixtureDir, hasDicomTools, SYNTAXES, transcodeAll } from '../support/dicom-fixtures.ts';
import { available } from '../support/skip.ts';

const run = available(hasDicomTools, 'dcmtk and gdcm (apt-get install dcmtk libgdcm-tools)');

const STUDY = '2.25.91234567891000777';
const SERIES = '2.25.91234567892000777';
const sop = (i: number) => `2.25.9123456789300077${i}`;
const SLICES = 3;
const NAMES = ['explicit-le', 'implicit-le', 'big-endian', 'deflated', 'rle', 'jpeg-lossless-sv1', 'jpeg-ls-lossless', 'j2k-lossless', 'j2k-lossless-fragments'];

function spec(i: number): ImageSpec {
  const rows = 48, columns = 64;
  const pixels = Uint16Array.from({ length: rows * columns }, (_, k) => ((k % columns) * 50 + Math.floor(k / columns) * 20 + i * 300) & 0xfff);
  return {
    rows, columns, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels,
    window: { center: 2048, width: 4096 }, rescale: { slope: 1, intercept: 0 },
    identity: { ...FAKE_PATIENT, studyUid: STUDY, seriesUid: SERIES, sopInstanceUid: sop(i) },
    geometry: { seriesNumber: 4, instanceNumber: SLICES - i, imagePosition: [-100, -120, 10 + 5 * i], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.9, 0.9] },
    timing: { repetitionTime: 500, echoTime: 12 },
  };
}

/** Everything that identifies the patient or the original objects, as strings to look for. */
const SECRETS = [
  FAKE_PATIENT.patientName, 'DOE', 'JANE', FAKE_PATIENT.patientId, FAKE_PATIENT.birthDate, FAKE_PATIENT.institution,
  FAKE_PATIENT.accession, FAKE_PATIENT.studyDate, STUDY, SERIES, ...Array.from({ length: SLICES }, (_, i) => sop(i)), '9123456789',
];

function leaks(bytes: Uint8Array): string[] {
  const latin1 = Buffer.from(bytes).toString('latin1');
  const utf16 = Buffer.from(bytes).toString('utf16le') + Buffer.from(bytes.subarray(1)).toString('utf16le');
  return SECRETS.filter((s) => latin1.includes(s) || utf16.includes(s));
}

let fixtures: ReturnType<typeof fixtureDir> | undefined;
const bySyntax = new Map<string, Uint8Array[]>();

const slicesOf = (files: DicomImageFile[], prefix: string): SeriesSlice[] => files.map((f, i) => ({ id: `${prefix}${i}`, meta: f.meta, frame: null }));

describe.runIf(run)('deidentify: a series in every transfer syntax', () => {
  beforeAll(async () => {
    const dir = (fixtures = fixtureDir()).dir;
    const syntaxes = SYNTAXES.filter((s) => NAMES.includes(s.name));
    for (let i = 0; i < SLICES; i++) {
      const paths = await transcodeAll(dir, `s${i}`, fromElements(imageElements(spec(i)), { sopInstance: sop(i) }), syntaxes);
      for (const [name, path] of paths) {
        if (!bySyntax.has(name)) bySyntax.set(name, []);
        bySyntax.get(name)![i] = new Uint8Array(readFileSync(path));
      }
    }
  }, 120_000);
  afterAll(() => fixtures?.remove());

  it.each(NAMES)('%s: parses, renders the same pixels, groups the same, leaks nothing', async (name) => {
    const originals = bySyntax.get(name)!.map((b) => openDicom(b));
    // The originals do carry the identity (else the test would prove nothing).
    expect(originals[0]!.patient).toMatchObject({ name: 'DOE JANE', id: FAKE_PATIENT.patientId, institution: FAKE_PATIENT.institution });
    expect(originals[0]!.meta.studyInstanceUid).toBe(STUDY);
    // Deflated files hold their data set compressed: their bytes show nothing in the clear.
    if (name !== 'deflated') expect(leaks(bySyntax.get(name)![0]!)).toEqual(expect.arrayContaining([FAKE_PATIENT.patientName, FAKE_PATIENT.patientId, STUDY]));
    const uids = new Map<string, string>();
    const copies = originals.map((f) => deidentify(f, uids));
    const opened = copies.map((c) => openDicom(c.bytes));
    for (const [i, c] of copies.entries()) {
      expect(leaks(c.bytes)).toEqual([]);
      expect(c.studyInstanceUid).toMatch(/^2\.25\.\d+$/);
      expect(opened[i]!.meta.studyInstanceUid).toBe(copies[0]!.studyInstanceUid);
      expect(opened[i]!.meta.seriesInstanceUid).toBe(copies[0]!.seriesInstanceUid);
      expect(opened[i]!.meta.sopInstanceUid).toBe(c.sopInstanceUid);
      expect(opened[i]!.patient).toEqual({ name: '', id: '', birthDate: '', sex: '', studyDate: '', studyDescription: '', institution: '', accessionNumber: '' });
      const noUids = (m: SliceMeta) => ({ ...m, studyInstanceUid: '', seriesInstanceUid: '', sopInstanceUid: '' });
      expect(noUids(opened[i]!.meta)).toEqual(noUids(originals[i]!.meta));
      expect(opened[i]!.image).toEqual(originals[i]!.image);
      expect(opened[i]!.rendering).toEqual(originals[i]!.rendering);
      const [a, b] = await Promise.all([renderFrame(originals[i]!, 1, nodeWasm), renderFrame(opened[i]!, 1, nodeWasm)]);
      expect(b.window).toEqual(a.window);
      expect(Buffer.from(b.pixels.data).equals(Buffer.from(a.pixels.data))).toBe(true);
    }
    expect(new Set(copies.map((c) => c.sopInstanceUid)).size).toBe(SLICES);
    const before = groupIntoSeries(slicesOf(originals, 'f'));
    const after = groupIntoSeries(slicesOf(opened, 'f'));
    expect(after).toHaveLength(1);
    expect(after.map((g) => g.slices.map((s) => s.id))).toEqual(before.map((g) => g.slices.map((s) => s.id)));
    expect({ ...after[0]!, studyInstanceUid: '', seriesInstanceUid: '', slices: [] }).toEqual({ ...before[0]!, studyInstanceUid: '', seriesInstanceUid: '', slices: [] });
  });

  it('one map per series: a second series gets other new UIDs, the same series the same', () => {
    const uids = new Map<string, string>();
    const a = deidentify(openDicom(bySyntax.get('explicit-le')![0]!), uids);
    const b = deidentify(openDicom(bySyntax.get('rle')![1]!), uids);
    expect(b.seriesInstanceUid).toBe(a.seriesInstanceUid);
    const other = deidentify(openDicom(bySyntax.get('explicit-le')![0]!), new Map());
    expect(other.seriesInstanceUid).not.toBe(a.seriesInstanceUid);
    expect(other.sopInstanceUid).not.toBe(a.sopInstanceUid);
  });
});

describe('deidentify: what it refuses and drops', () => {
  it('refuses Enhanced (functional-group) objects plainly', () => {
    const s = spec(0);
    const els = imageElements(s);
    els.push([0x52009229, sequence(0x5200, 0x9229, [str(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0')])]);
    const file = openDicom(fromElements(els));
    expect(() => deidentify(file, new Map())).toThrow(/Enhanced/);
  });

  it('drops private and unknown attributes', () => {
    const els = imageElements(spec(1));
    els.push([0x00090010, str(0x0009, 0x0010, 'LO', 'ACME PRIVATE')], [0x00091001, str(0x0009, 0x1001, 'LO', 'DOE^JANE PRIVATE')]);
    els.push([0x00321060, str(0x0032, 0x1060, 'LO', 'BRAIN PID-12345')]);
    const copy = deidentify(openDicom(fromElements(els)), new Map());
    const text = Buffer.from(copy.bytes).toString('latin1');
    expect(text).not.toContain('ACME');
    expect(text).not.toContain('PID-12345');
    expect(text).not.toContain('DOE');
    expect(Object.keys(openDicom(copy.bytes).dataSet.elements).filter((t) => parseInt(t.slice(1, 5), 16) % 2 === 1)).toEqual([]);
  });
});

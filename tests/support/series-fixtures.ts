// Series written at test time into a temporary folder (never committed): real MRI JPEGs from ../shared as the slices
// of scanner-like DICOM series (Image Position / Orientation Patient, Instance Number, Study / Series UID, axial T1
// timing), files named with meaningless names in a shuffled order. Also the picks: no-tumour and tumour JPEGs the model
// answers clearly, so a test of the series logic does not hinge on borderline slices.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { preprocess } from '../../models/core/preprocess.ts';
import { createClassifier, type Classifier } from '../../models/node/classifier.ts';
import { imageFile } from '../../models/scripts/dicom-write.ts';
import { FAKE_PATIENT, fixtureDir, type Grey } from './dicom-fixtures.ts';
import { DATA_DIR } from './skip.ts';

export const AXIAL = [1, 0, 0, 0, 1, 0] as const;
export const SAGITTAL = [0, 1, 0, 0, 0, -1] as const;

/** A JPEG as 8-bit grey, resized to size × size. */
export async function greyOf(path: string, size = 256): Promise<Grey> {
  const { data, info } = await sharp(path).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

export interface SliceSpec {
  grey: Grey;
  /** What the slice shows, for the test's own bookkeeping (never written to the file). */
  tumour: boolean;
}

export interface SeriesSpec {
  studyUid: string;
  seriesUid: string;
  description: string;
  seriesNumber: number;
  slices: SliceSpec[];
  orientation?: readonly number[];
  modality?: string;
  /** Instance Numbers against the geometry (scanners that count from the top): the order must come from positions. */
  reverseInstances?: boolean;
  /** Leave Image Position / Orientation out: the order must come from Instance Number. */
  noGeometry?: boolean;
}

export interface WrittenSlice {
  bytes: Uint8Array;
  /** 0-based place along the slice normal. */
  index: number;
  instance: number;
  tumour: boolean;
  seriesUid: string;
}

/** The files of a series, slice i at 5 mm · i along the normal, 0.9 mm pixels (a 230 mm field of view at 256 px). */
export function seriesFiles(spec: SeriesSpec): WrittenSlice[] {
  const n = spec.slices.length;
  const iop = spec.orientation ?? AXIAL;
  const normal = [iop[1]! * iop[5]! - iop[2]! * iop[4]!, iop[2]! * iop[3]! - iop[0]! * iop[5]!, iop[0]! * iop[4]! - iop[1]! * iop[3]!];
  return spec.slices.map((s, index) => {
    const instance = spec.reverseInstances ? n - index : index + 1;
    const origin = [-115, -115, -40];
    const imagePosition = origin.map((o, k) => o + 5 * index * normal[k]!);
    const bytes = imageFile({
      rows: s.grey.height, columns: s.grey.width, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0,
      photometric: 'MONOCHROME2', pixels: s.grey.data, window: { center: 128, width: 256 }, modality: spec.modality ?? 'MR',
      identity: { ...FAKE_PATIENT, studyUid: spec.studyUid, seriesUid: spec.seriesUid, sopInstanceUid: `${spec.seriesUid}.${instance}`, seriesDescription: spec.description },
      geometry: spec.noGeometry
        ? { seriesNumber: spec.seriesNumber, instanceNumber: instance }
        : { seriesNumber: spec.seriesNumber, instanceNumber: instance, imagePosition, imageOrientation: iop, pixelSpacing: [0.9, 0.9] },
      timing: { repetitionTime: 500, echoTime: 10 },
    });
    return { bytes, index, instance, tumour: s.tumour, seriesUid: spec.seriesUid };
  });
}

/** A deterministic generator (mulberry32): the same shuffle and names every run. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A meaningless 8-character upper-case name (ISO 9660 level 1, as a CD writes and dcmmkdir wants). */
export const cdName = (rand: () => number) => Array.from({ length: 8 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[Math.floor(rand() * 36)]).join('');

const BRAIN = `${DATA_DIR}brain-mri/Training/`;

/**
 * `noTumour` no-tumour and `tumour` tumour JPEGs (glioma, meningioma, pituitary in turn) that the model answers
 * clearly on their 256² grey: P(tumour) < 0.2 and > 0.995, from each class's sorted list (the same every run).
 */
export async function clearPicks(classifier: Classifier, noTumour: number, tumour: number): Promise<{ noTumour: string[]; tumour: string[] }> {
  const list = (c: string) => readdirSync(join(BRAIN, c)).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(BRAIN, c, f));
  // Judged on the 256² grey the series files carry, as the DICOM reader will show it.
  const p = async (path: string) => {
    const g = await greyOf(path);
    return (await classifier.analyse([preprocess({ data: g.data, width: g.width, height: g.height, channels: 1 })]))[0]!.tumorProbability;
  };
  const take = async (paths: string[], n: number, ok: (v: number) => boolean) => {
    const out: string[] = [];
    for (const path of paths) {
      if (out.length >= n) break;
      const v = await p(path);
      if (v !== null && ok(v)) out.push(path);
    }
    return out;
  };
  const types = ['glioma', 'meningioma', 'pituitary'].map(list);
  const interleaved = types[0]!.flatMap((_, i) => types.map((t) => t[i]).filter((x): x is string => !!x));
  return { noTumour: await take(list('notumor').filter((_, i) => i % 3 === 0), noTumour, (v) => v < 0.2), tumour: await take(interleaved.filter((_, i) => i % 5 === 0), tumour, (v) => v > 0.995) };
}

export interface SeriesFixture {
  dir: string;
  /** File name → what was written. */
  byName: Map<string, WrittenSlice>;
  remove: () => void;
}

/** UIDs of the fixture: study A sorts before study B. */
export const UIDS = {
  studyA: '2.25.7100001', studyB: '2.25.7200002',
  tumour: '2.25.7100001.2', clear: '2.25.7100001.1', sagittal: '2.25.7100001.3', single: '2.25.7200002.1', ct: '2.25.7200002.9',
};

/** The mixed folder: five series in two studies, shuffled under meaningless names, with a PNG and a text file. */
export async function mixedFolder(): Promise<SeriesFixture> {
  const classifier = await createClassifier();
  const picks = await clearPicks(classifier, 60, 4);
  await classifier.release();
  if (picks.noTumour.length < 60 || picks.tumour.length < 4) throw new Error(`too few clear picks: ${picks.noTumour.length}, ${picks.tumour.length}`);
  const greys = { no: await Promise.all(picks.noTumour.map((p) => greyOf(p))), yes: await Promise.all(picks.tumour.map((p) => greyOf(p))) };
  const no = (from: number, n: number) => greys.no.slice(from, from + n).map((grey) => ({ grey, tumour: false }));
  // 20 slices with three tumour slices in the middle (indices 9–11); Instance Numbers counting the other way.
  const tumourSlices = [...no(0, 9), ...greys.yes.slice(0, 3).map((grey) => ({ grey, tumour: true })), ...no(9, 8)];
  const written = [
    ...seriesFiles({ studyUid: UIDS.studyA, seriesUid: UIDS.tumour, description: 'T1 AX SE', seriesNumber: 2, slices: tumourSlices, reverseInstances: true }),
    ...seriesFiles({ studyUid: UIDS.studyA, seriesUid: UIDS.clear, description: 'T1 AX SE 2', seriesNumber: 1, slices: no(17, 16), noGeometry: true }),
    ...seriesFiles({ studyUid: UIDS.studyA, seriesUid: UIDS.sagittal, description: 'T1 SAG', seriesNumber: 3, slices: no(33, 6), orientation: SAGITTAL }),
    // One tumour slice among twelve: top-2 mean, so one slice alone does not make the series Tumor.
    ...seriesFiles({ studyUid: UIDS.studyB, seriesUid: UIDS.single, description: 'T1 AX one', seriesNumber: 1, slices: [...no(39, 6), { grey: greys.yes[3]!, tumour: true }, ...no(45, 5)] }),
    ...seriesFiles({ studyUid: UIDS.studyB, seriesUid: UIDS.ct, description: 'CT HEAD', seriesNumber: 9, slices: no(50, 2), modality: 'CT' }),
  ];
  const { dir, remove } = fixtureDir();
  const rand = seeded(13);
  const byName = new Map<string, WrittenSlice>();
  for (const w of shuffled(written, rand)) {
    const name = cdName(rand);
    byName.set(name, w);
    writeFileSync(join(dir, name), w.bytes);
  }
  await sharp({ create: { width: 80, height: 80, channels: 3, background: '#336699' } }).png().toFile(join(dir, 'preview.png'));
  writeFileSync(join(dir, 'README.TXT'), 'patient CD');
  return { dir, byName, remove };
}

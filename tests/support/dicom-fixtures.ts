// DICOM files with known pixels, written at test time into a temporary folder (never committed): a JPEG's grey
// (or any grey picture) as five kinds of scanner file, each transcoded into every transfer syntax Debian's dcmtk
// and gdcm can write. The windows are chosen so that the file displays as exactly the grey it was made from.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imageFile, type ImageSpec } from '../../models/scripts/dicom-write.ts';
import { DATA_DIR } from './skip.ts';

const run = promisify(execFile);

/** Recognisable fake identity in every fixture: tests can check none of it leaks anywhere. */
export const FAKE_PATIENT = {
  patientName: 'DOE^JANE',
  patientId: 'PID-12345',
  birthDate: '19700101',
  sex: 'F',
  institution: 'ST FAKE GENERAL HOSPITAL',
  accession: 'ACC-98765',
  studyDate: '20240229',
  seriesDescription: 'T1 AX FIXTURE',
} as const;

/** UIDs under 2.25 (UUID-derived, PS3.5 B.2), unique per fixture and recognisable: 2.25.9123456789<n>. */
const uid = (kind: number, n: number) => `2.25.9123456789${kind}${String(n).padStart(6, '0')}`;

export type Variant = '8bit' | '12bit' | 'signed' | 'mono1' | 'novoi';
export const VARIANTS: readonly Variant[] = ['8bit', '12bit', 'signed', 'mono1', 'novoi'];

export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The file for one variant of a grey picture, and the 8-bit grey the reader must show for it:
 * - 8bit: 8 bits, window 128/256 (LINEAR: x → x);
 * - 12bit: 12 of 16 bits, stored 16·g, window 2040.5/4081 (LINEAR: 16·g → g);
 * - signed: signed 16-bit, stored 8·g − 1000, Rescale 0.5 / +500 (so 4·g), window 510.5/1021 (4·g → g);
 * - mono1: MONOCHROME1, 10 of 16 bits, stored 4·(255 − g), window 510.5/1021, then inverted (→ g);
 * - novoi: 16-bit, stored 12·g + 30, no window: the reader's automatic min-max window gives g stretched to 0–255.
 */
export function variantFile(variant: Variant, grey: Grey, n = 0): { bytes: Uint8Array; expected: Uint8Array } {
  const { data: g, width: columns, height: rows } = grey;
  const identity = { ...FAKE_PATIENT, studyUid: uid(1, n), seriesUid: uid(2, n), sopInstanceUid: uid(3, n) };
  const base = { rows, columns, identity, photometric: 'MONOCHROME2' as const, pixelRepresentation: 0 as const };
  const u16 = (f: (v: number) => number) => Uint16Array.from(g, (v) => f(v) & 0xffff);
  let spec: ImageSpec;
  let expected = g;
  if (variant === '8bit') {
    spec = { ...base, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixels: g.slice(), window: { center: 128, width: 256 } };
  } else if (variant === '12bit') {
    spec = { ...base, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixels: u16((v) => 16 * v), window: { center: 2040.5, width: 4081 } };
  } else if (variant === 'signed') {
    spec = {
      ...base, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 1,
      pixels: u16((v) => 8 * v - 1000), rescale: { slope: 0.5, intercept: 500 }, window: { center: 510.5, width: 1021 },
    };
  } else if (variant === 'mono1') {
    spec = { ...base, photometric: 'MONOCHROME1', bitsAllocated: 16, bitsStored: 10, highBit: 9, pixels: u16((v) => 4 * (255 - v)), window: { center: 510.5, width: 1021 } };
  } else {
    spec = { ...base, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixels: u16((v) => 12 * v + 30) };
    let lo = 255, hi = 0;
    for (const v of g) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    expected = Uint8Array.from(g, (v) => (hi > lo ? Math.round(((v - lo) / (hi - lo)) * 255) : 0));
  }
  return { bytes: imageFile(spec), expected };
}

export interface Syntax {
  name: string;
  uid: string;
  /** Decodes to exactly the stored values. */
  lossless: boolean;
  /** The variants it applies to (default: all). */
  variants?: readonly Variant[];
  /** The commands that write it from an explicit VR little endian file, in order; none for that file itself. */
  command?: (input: string, output: string) => Array<[string, string[]]>;
}

export const SYNTAXES: readonly Syntax[] = [
  { name: 'explicit-le', uid: '1.2.840.10008.1.2.1', lossless: true },
  { name: 'implicit-le', uid: '1.2.840.10008.1.2', lossless: true, command: (i, o) => [['dcmconv', ['+ti', i, o]]] },
  { name: 'big-endian', uid: '1.2.840.10008.1.2.2', lossless: true, command: (i, o) => [['dcmconv', ['+tb', i, o]]] },
  { name: 'deflated', uid: '1.2.840.10008.1.2.1.99', lossless: true, command: (i, o) => [['dcmconv', ['+td', i, o]]] },
  { name: 'rle', uid: '1.2.840.10008.1.2.5', lossless: true, command: (i, o) => [['dcmcrle', [i, o]]] },
  { name: 'jpeg-baseline', uid: '1.2.840.10008.1.2.4.50', lossless: false, variants: ['8bit'], command: (i, o) => [['dcmcjpeg', ['+eb', '+q', '95', i, o]]] },
  { name: 'jpeg-extended', uid: '1.2.840.10008.1.2.4.51', lossless: false, variants: ['8bit', '12bit'], command: (i, o) => [['dcmcjpeg', ['+ee', '+q', '95', i, o]]] },
  { name: 'jpeg-lossless-p14', uid: '1.2.840.10008.1.2.4.57', lossless: true, command: (i, o) => [['dcmcjpeg', ['+el', i, o]]] },
  { name: 'jpeg-lossless-sv1', uid: '1.2.840.10008.1.2.4.70', lossless: true, command: (i, o) => [['dcmcjpeg', ['+e1', i, o]]] },
  { name: 'jpeg-ls-lossless', uid: '1.2.840.10008.1.2.4.80', lossless: true, command: (i, o) => [['dcmcjpls', ['+el', i, o]]] },
  { name: 'jpeg-ls-near', uid: '1.2.840.10008.1.2.4.81', lossless: false, variants: ['8bit', '12bit', 'mono1', 'novoi'], command: (i, o) => [['dcmcjpls', ['+en', '+md', '2', i, o]]] },
  // dcmcjpls refuses signed pixels for near-lossless; gdcm (CharLS) writes them.
  { name: 'jpeg-ls-near-gdcm', uid: '1.2.840.10008.1.2.4.81', lossless: false, variants: ['signed'], command: (i, o) => [['gdcmconv', ['--quiet', '--jpegls', '--lossy', '-e', '2', i, o]]] },
  { name: 'j2k-lossless', uid: '1.2.840.10008.1.2.4.90', lossless: true, command: (i, o) => [['gdcmconv', ['--j2k', i, o]]] },
  // One frame in several fragments (gdcm splits only what is already compressed).
  { name: 'j2k-lossless-fragments', uid: '1.2.840.10008.1.2.4.90', lossless: true, command: (i, o) => [['gdcmconv', ['--j2k', i, `${o}.j2k`]], ['gdcmconv', ['--split', '4096', `${o}.j2k`, o]]] },
  // 5:1 by rate: -q is a PSNR over the container's range, so the same -q is far coarser on 12 bits than on 8.
  { name: 'j2k-lossy', uid: '1.2.840.10008.1.2.4.91', lossless: false, command: (i, o) => [['gdcmconv', ['--j2k', '--lossy', '-r', '5', i, o]]] },
];

export const syntaxesFor = (v: Variant) => SYNTAXES.filter((s) => !s.variants || s.variants.includes(v));

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
/** dcmtk (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls) and gdcm (gdcmconv). */
export const hasDicomTools = ['dcmconv', 'dcmcrle', 'dcmcjpeg', 'dcmcjpls', 'gdcmconv'].every(has);

/** A temporary folder for fixture files; remove() deletes it and everything in it. */
export function fixtureDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bigbrain-dicom-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `bytes` (explicit VR little endian) in `dir` as `name`, then one file per syntax: path by syntax name. */
export async function transcodeAll(dir: string, name: string, bytes: Uint8Array, syntaxes: readonly Syntax[]): Promise<Map<string, string>> {
  const source = join(dir, `${name}.explicit-le.dcm`);
  writeFileSync(source, bytes);
  const out = new Map<string, string>();
  for (const s of syntaxes) {
    if (!s.command) {
      out.set(s.name, source);
      continue;
    }
    const target = join(dir, `${name}.${s.name}.dcm`);
    for (const [cmd, args] of s.command(source, target)) {
      try {
        await run(cmd, args);
      } catch (e) {
        throw new Error(`${cmd} ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
      }
    }
    out.set(s.name, target);
  }
  return out;
}

/** Runs fn over items, `limit` at a time (the transcoders are one process each; the machine has few cores). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const BRAIN_MRI = `${DATA_DIR}brain-mri/Training/`;
const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

/** `count` training JPEGs, spread evenly over the four classes and each class's sorted file list: the same every run. */
export function sampleJpegs(count: number): string[] {
  const lists = CLASSES.map((c) => readdirSync(join(BRAIN_MRI, c)).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(BRAIN_MRI, c, f)));
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const list = lists[i % lists.length]!;
    const k = Math.floor(i / lists.length);
    const step = Math.max(1, Math.floor(list.length / Math.ceil(count / lists.length)));
    const file = list[(k * step + 7) % list.length];
    if (file && !out.includes(file)) out.push(file);
    if (i > count * 8) break;
  }
  return out;
}

export const readBytes = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** Largest and mean absolute difference of two pixel arrays of the same length (throws when the lengths differ). */
export function pixelDifference(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`the arrays hold ${a.length} and ${b.length} values`);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

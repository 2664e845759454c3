// Runs the shipped ONNX model over split lists of real images and computes the card's figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELS, type Label } from '../core/contract.ts';
import { interpret, tumourProbabilityOf, type Decision } from '../core/interpret.ts';
import { preprocess } from '../core/preprocess.ts';
import type { Classifier } from './classifier.ts';
import { decodeImage } from './decode.ts';

export interface SplitRow {
  split: 'train' | 'val' | 'test';
  source: 'brain-mri' | 'brain-mri-binary' | 'nonmri';
  path: string;
  sha256: string;
  dhash: string;
  group: number;
}

export function readSplits(csvPath: string): SplitRow[] {
  const [, ...lines] = readFileSync(csvPath, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [split, source, path, sha256, dhash, group] = line.split(',');
    return { split, source, path, sha256, dhash, group: Number(group) } as SplitRow;
  });
}

/** brain-mri/Training/<label>/x.jpg → label; brain-mri-binary → 'tumor'; nonmri/<category>/… → category */
export function truthOf(row: SplitRow): string {
  const parts = row.path.split('/');
  if (row.source === 'brain-mri') return parts[parts.length - 2]!;
  if (row.source === 'brain-mri-binary') return 'tumor';
  return parts[0]!;
}

export interface Prediction {
  row: SplitRow;
  truth: string;
  probabilities: number[];
  mriProbability: number;
  colourfulness: number;
}

export async function predictRows(classifier: Classifier, rows: SplitRow[], roots: { data: string; nonmri: string }, batch = 64): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const pre = await Promise.all(chunk.map(async (row) => preprocess(await decodeImage(readFileSync(join(row.source === 'nonmri' ? roots.nonmri : roots.data, row.path))))));
    const raw = await classifier.run(pre.map((p) => p.tensor));
    chunk.forEach((row, j) => out.push({
      row,
      truth: truthOf(row),
      probabilities: Array.from(raw.probabilities.subarray(j * 4, j * 4 + 4)),
      mriProbability: raw.mri[j]!,
      colourfulness: pre[j]!.colourfulness,
    }));
  }
  return out;
}

export interface Rate { value: number; n: number; low: number; high: number }

/** Proportion with its Wilson 95 % interval. */
export function rate(hits: number, n: number): Rate {
  if (n === 0) return { value: NaN, n, low: NaN, high: NaN };
  const z = 1.96, p = hits / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  const r = (v: number) => Math.round(v * 1e4) / 1e4;
  return { value: r(p), n, low: r(c - h), high: r(c + h) };
}

export function rocAuc(scores: number[], positive: boolean[]): number {
  const pos = scores.filter((_, i) => positive[i]), neg = scores.filter((_, i) => !positive[i]);
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return Math.round((wins / (pos.length * neg.length)) * 1e4) / 1e4;
}

/** Expected calibration error over 10 equal-width bins of confidence. */
export function ece(confidence: number[], correct: boolean[], bins = 10) {
  const table = Array.from({ length: bins }, () => ({ n: 0, conf: 0, acc: 0 }));
  confidence.forEach((c, i) => {
    const b = table[Math.min(bins - 1, Math.floor(c * bins))]!;
    b.n++; b.conf += c; b.acc += correct[i] ? 1 : 0;
  });
  let e = 0;
  for (const b of table) if (b.n) e += (b.n / confidence.length) * Math.abs(b.acc / b.n - b.conf / b.n);
  return { ece: Math.round(e * 1e4) / 1e4, bins: table.map((b) => ({ n: b.n, confidence: b.n ? b.conf / b.n : 0, accuracy: b.n ? b.acc / b.n : 0 })) };
}

export function metrics(preds: Prediction[], decision: Decision, model = { name: '', version: '' }) {
  // t: the model's P(tumour) for every image, also those the MRI check refuses (whose answers carry none).
  const decided = preds.map((p) => ({ p, a: interpret({ probabilities: p.probabilities, mriProbability: p.mriProbability, colourfulness: p.colourfulness }, decision, model), t: tumourProbabilityOf(p.probabilities) }));
  const mri = decided.filter(({ p }) => p.row.source !== 'nonmri');
  const bm = mri.filter(({ p }) => p.row.source === 'brain-mri');
  const isTumour = (t: string) => t !== 'notumor';
  const saysTumour = (r: string) => r === 'Tumor';
  const count = <T,>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;
  const tumours = bm.filter(({ p }) => isTumour(p.truth));
  const normals = bm.filter(({ p }) => !isTumour(p.truth));
  const binary = mri.filter(({ p }) => p.row.source === 'brain-mri-binary');
  const perClass = Object.fromEntries(LABELS.map((l) => {
    const pos = bm.filter(({ p }) => p.truth === l), neg = bm.filter(({ p }) => p.truth !== l);
    return [l, { sensitivity: rate(count(pos, ({ a }) => a.label === l), pos.length), specificity: rate(count(neg, ({ a }) => a.label !== l), neg.length) }];
  })) as Record<Label, { sensitivity: Rate; specificity: Rate }>;
  const confusion = LABELS.map((t) => [...LABELS.map((l) => count(bm, ({ p, a }) => p.truth === t && a.result !== 'Not a brain MRI' && a.label === l)), count(bm, ({ p, a }) => p.truth === t && a.result === 'Not a brain MRI')]);
  const nonmri = decided.filter(({ p }) => p.row.source === 'nonmri');
  const categories = [...new Set(nonmri.map(({ p }) => p.truth))].sort();
  const binaryCal = ece(bm.map(({ t }) => Math.max(t, 1 - t)), bm.map(({ p, t }) => (t >= 0.5) === isTumour(p.truth)));
  const top = (probs: number[]) => probs.indexOf(Math.max(...probs));
  const fourCal = ece(bm.map(({ p }) => Math.max(...p.probabilities)), bm.map(({ p }) => LABELS[top(p.probabilities)] === p.truth));
  const reliability = Array.from({ length: 10 }, (_, b) => {
    const inBin = bm.filter(({ t }) => Math.min(9, Math.floor(t * 10)) === b);
    return { n: inBin.length, meanPredicted: inBin.length ? inBin.reduce((s, { t }) => s + t, 0) / inBin.length : 0, observed: inBin.length ? count(inBin, ({ p }) => isTumour(p.truth)) / inBin.length : 0 };
  });
  return {
    brainMri: {
      images: bm.length,
      binaryAccuracy: rate(count(bm, ({ p, a }) => saysTumour(a.result) === isTumour(p.truth)), bm.length),
      tumourSensitivity: rate(count(tumours, ({ a }) => saysTumour(a.result)), tumours.length),
      specificity: rate(count(normals, ({ a }) => a.result === 'No Tumor'), normals.length),
      fourClassAccuracy: rate(count(bm, ({ p, a }) => a.result !== 'Not a brain MRI' && a.label === p.truth), bm.length),
      perClass,
      rocAuc: rocAuc(bm.map(({ t }) => t), bm.map(({ p }) => isTumour(p.truth))),
      eceBinary: binaryCal.ece,
      eceFourClass: fourCal.ece,
      uncertainShare: rate(count(bm, ({ a }) => a.uncertain), bm.length),
      confusion: { rows: LABELS, columns: [...LABELS, 'not_mri'], counts: confusion },
      reliability,
    },
    brainMriBinary: {
      images: binary.length,
      tumourSensitivity: rate(count(binary, ({ a }) => saysTumour(a.result)), binary.length),
      notumorSpecificity: rate(count(normals, ({ a }) => a.result === 'No Tumor'), normals.length),
    },
    nonMri: {
      images: nonmri.length,
      rejected: rate(count(nonmri, ({ a }) => a.result === 'Not a brain MRI'), nonmri.length),
      byCategory: Object.fromEntries(categories.map((c) => {
        const xs = nonmri.filter(({ p }) => p.truth === c);
        return [c, rate(count(xs, ({ a }) => a.result === 'Not a brain MRI'), xs.length)];
      })),
      mriWronglyRejected: {
        'brain-mri': rate(count(bm, ({ a }) => a.result === 'Not a brain MRI'), bm.length),
        'brain-mri-binary': rate(count(binary, ({ a }) => a.result === 'Not a brain MRI'), binary.length),
      },
    },
  };
}

export type Metrics = ReturnType<typeof metrics>;

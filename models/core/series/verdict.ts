// Slice answers → one series verdict: the mean of the top-k slice P(tumour) among the slices that count (diagnosed
// and in the validated scope), against the rule's threshold and uncertain band (card.json → series).
import { SERIES_RULE } from '../model.ts';
import type { SeriesRule, SeriesVerdict, SliceAnswer } from './types.ts';

const TYPES = ['glioma', 'meningioma', 'pituitary'] as const;
const round = (v: number) => Math.round(v * 1e4) / 1e4;
export const KEY_SLICES = 3;

/** The tumour type with the highest mean probability over the key slices (else the most frequent slice label). */
function typeOf(keys: readonly SliceAnswer[]): string | null {
  const withProbs = keys.filter((k) => k.probabilities);
  if (withProbs.length === keys.length && keys.length) {
    const mean = TYPES.map((t) => keys.reduce((s, k) => s + (k.probabilities![t] ?? 0), 0) / keys.length);
    return TYPES[mean.indexOf(Math.max(...mean))]!;
  }
  const counts = new Map<string, number>();
  for (const k of keys) if (k.label && k.label !== 'notumor') counts.set(k.label, (counts.get(k.label) ?? 0) + 1);
  let best: string | null = null;
  for (const [label, n] of counts) if (best === null || n > counts.get(best)!) best = label;
  return best;
}

export function seriesVerdict(answers: readonly SliceAnswer[], rule: SeriesRule = SERIES_RULE): SeriesVerdict {
  const outside: Record<string, number> = {};
  const counted: Array<SliceAnswer & { tumorProbability: number }> = [];
  for (const a of answers) {
    if ((a.result === 'Tumor' || a.result === 'No Tumor') && a.tumorProbability !== null) {
      counted.push(a as SliceAnswer & { tumorProbability: number });
      continue;
    }
    const reasons = a.result === 'Not a brain MRI' ? ['not a brain MRI'] : a.outside?.length ? a.outside : ['outside validated use'];
    for (const r of reasons) outside[r] = (outside[r] ?? 0) + 1;
  }
  if (counted.length === 0) {
    return { result: 'Outside validated use', tumorProbability: null, label: null, uncertain: false, keySlices: [], counted: 0, outside };
  }
  // Most suspicious first; equal P(tumour) keep the series order the caller gave.
  const ranked = counted.map((a, i) => ({ a, i })).sort((x, y) => y.a.tumorProbability - x.a.tumorProbability || x.i - y.i).map((r) => r.a);
  const k = Math.max(1, Math.min(rule.topK, ranked.length));
  const score = round(ranked.slice(0, k).reduce((s, a) => s + a.tumorProbability, 0) / k);
  const keys = ranked.slice(0, Math.min(KEY_SLICES, ranked.length));
  const [low, high] = rule.uncertainBand;
  const uncertain = score >= low && score <= high;
  const result = uncertain ? 'Uncertain' : score >= rule.threshold ? 'Tumor' : 'No Tumor';
  return {
    result,
    tumorProbability: score,
    label: result === 'No Tumor' ? 'notumor' : typeOf(keys),
    uncertain,
    keySlices: keys.map((key) => key.id),
    counted: counted.length,
    outside,
  };
}

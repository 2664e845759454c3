// The model card's "Series verdict" section, from card.json → series (the rule and the figures series-rule.ts
// measured). Shared by series-rule.ts (which measures and writes) and package-model.ts (which keeps the section when
// it rewrites the card).
import type { SeriesRule } from '../core/series/index.ts';

export interface SeriesFigures {
  model: string;
  seriesPerCell: number;
  lengths: number[];
  tumourCounts: number[];
  slices: { noTumour: number; tumour: number; refused: number };
  candidates: Array<{ k: number; threshold: number; specificity: number[]; sensitivity: Record<string, number[]> }>;
  /** Shares of series by result under the chosen rule, by length and tumour slices. */
  table: Array<{ length: number; t: number; tumor: number; uncertain: number; noTumor: number }>;
  healthy: Array<{ folder: string; slices: number; result: string; outside?: Record<string, number>; scoreWithoutScope: number | null; wouldBe: string | null; slicesOver05?: number; diagnosed?: number }>;
}

export type SeriesCard = SeriesRule & { rule?: string; figures?: SeriesFigures };

const pct = (v: number) => `${(100 * v).toFixed(1).replace(/\.0$/, '')}`;
const pair = (vs: number[]) => (vs.every((v) => v === 1) ? '100 %' : `${vs.map(pct).join(' / ')} %`);

export function seriesMarkdown(s: SeriesCard): string {
  const [low, high] = s.uncertainBand;
  const lines = [
    '## Series verdict',
    'One verdict per series (`models/core/series`, shared by the PWA, `POST /api/series` and `npm run classify -- --series`),',
    'rule in `card.json → series` (`model.ts` `SERIES_RULE`):',
    '',
    '- **Which slices count**: those diagnosed (Tumor / No Tumor) and inside the validated scope (`models/core/scope.ts`, with',
    "  each slice's place in its series for the edge-of-the-head rule). The others are shown but do not count; a series with",
    '  no slice that counts is **Outside validated use**, with its reasons counted (e.g. `{"sagittal": 143, "not a brain MRI": 27}`).',
    `- **Score**: the mean of the **top ${s.topK}** slice P(tumour) among the slices that count (all of them when fewer count).`,
    `- **Tumor** when the score is ≥ **${s.threshold}**; **Uncertain** when it lies in **[${low}, ${high}]** (Uncertain wins, so Tumor`,
    `  needs a score above ${high}); else No Tumor. The key slices are the 3 most suspicious counted slices, most suspicious first.`,
    '- **Label**: the tumour type with the highest mean probability over the key slices (`notumor` for No Tumor).',
  ];
  const f = s.figures;
  if (!f) return `${lines.join('\n')}\n\n`;
  const [L1, L2] = f.lengths;
  lines.push(
    '',
    `**How it was chosen** (\`npx tsx models/scripts/series-rule.ts\`, model ${f.model}, seeded; validation split only — never`,
    `train or test): pseudo-series of L = ${f.lengths.join(' or ')} slices (the in-scope middle of an axial series) of no-tumour validation`,
    `images (${f.slices.noTumour}) with t = ${f.tumourCounts.join(', ')} tumour validation images (${f.slices.tumour}) among them, ${f.seriesPerCell} series per cell. For each k the`,
    'lowest threshold with ≥ 97.5 % of t = 0 series below it at both lengths; then the largest k that still finds ≥ 99 % of',
    't = 3 series (k = 1 rests the verdict on one slice: one false-positive slice anywhere in a long series makes it Tumor,',
    `and ${f.slices.noTumour} no-tumour images cannot show how often that happens). The band runs from the score with ≥ 90 % of t = 0`,
    'series below it to the one with ≥ 99.5 % below it.',
    '',
    `| k | threshold | t = 0 specificity (L ${L1} / ${L2}) | ${f.tumourCounts.filter((t) => t > 0).map((t) => `t = ${t}`).join(' | ')} |`,
    `|---|---|---|${f.tumourCounts.filter((t) => t > 0).map(() => '---|').join('')}`,
    ...f.candidates.map((c) => {
      const b = (x: string) => (c.k === s.topK ? `**${x}**` : x);
      return `| ${b(String(c.k))} | ${b(String(c.threshold))} | ${b(pair(c.specificity))} | ${f.tumourCounts.filter((t) => t > 0).map((t) => pair(c.sensitivity[t]!)).join(' | ')} |`;
    }),
    '',
    `With the band, share of series by result (L ${L1} / ${L2}):`,
    '',
    '| tumour slices | Tumor | Uncertain | No Tumor |',
    '|---|---|---|---|',
    ...f.tumourCounts.map((t) => {
      const r = f.lengths.map((L) => f.table.find((x) => x.length === L && x.t === t)!);
      return `| ${t} | ${r.map((x) => pct(x.tumor)).join(' / ')} % | ${r.map((x) => pct(x.uncertain)).join(' / ')} % | ${r.map((x) => pct(x.noTumor)).join(' / ')} % |`;
    }),
    '',
    '**The healthy real series** (`../shared/data/brain-mri-normal-dicom`) through the same series pipeline as the CLI and',
    'the API, and with the scope lifted (the rule on their raw slice answers; the 3D volumes also resliced, inner 80 %):',
    '',
    '| series | slices | answer | score without the scope | would be |',
    '|---|---|---|---|---|',
    ...f.healthy.map((h) => `| ${h.folder} | ${h.slices}${h.slicesOver05 !== undefined ? ` (${h.slicesOver05} of ${h.diagnosed} inner at P ≥ 0.5)` : ''} | ${h.result}${h.outside && Object.keys(h.outside).length ? ` (${Object.entries(h.outside).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''} | ${h.scoreWithoutScope ?? '—'} | ${h.wouldBe ?? '—'} |`),
    '',
    `None comes back Tumor, but **this rests on the scope, not on the rule**: model ${f.model} reads these scanners' healthy`,
    'slices unlike the validation JPEGs, so no aggregation chosen on the JPEG validation split can stand in for the scope.',
    'When a model that reads them better ships, rerun `series-rule.ts --write` (card.json → series and this section).',
    '',
    '**Caveats**: pseudo-series are independent slices, not neighbouring slices of one head (real series are correlated, so',
    "a tumour's slices and a healthy head's borderline slices come in runs); with so few no-tumour validation images the",
    'threshold sits at the top of their P(tumour) distribution, and the specificity on real healthy in-scope axial series is',
    'not measured here. The per-slice threshold is unchanged; the series threshold is far higher because a series offers',
    'many chances for one no-tumour slice to look suspicious.',
  );
  return `${lines.join('\n')}\n\n`;
}

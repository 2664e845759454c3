// Chooses the series rule (card.json → series: top-k mean, threshold, uncertain band) on validation series only, and
// prints the figures behind it (MODEL_CARD.md, "Series verdict").
//
//   npx tsx models/scripts/series-rule.ts [--model public/models/bigbrain-<v>.onnx] [--series 1000] [--json out.json] [--write]
//
// --write puts the rule and its figures in models/card.json → series and rewrites the model card's "Series verdict"
// section from them (series-section.ts; package-model.ts keeps both when it rewrites the card).
//
// Validation series: pseudo-series built from the validation split's images (models/splits/splits.csv, split = val;
// never train or test): L slices of no tumour (brain-mri/notumor) with t tumour slices (glioma, meningioma, pituitary,
// brain-mri-binary/tumor) among them, drawn with a seeded generator, for L ∈ {16, 32} (the in-scope middle of a
// 20–40-slice axial series) and t ∈ {0, 1, 2, 3, 5, 8}. Every slice counts (JPEGs carry no metadata: these stand for
// the in-scope slices of a series). Plus the healthy real series of ../shared/data/brain-mri-normal-dicom through the
// same series pipeline as the CLI and the API: they must never come back Tumor (and, as a diagnostic, the rule on the
// raw answers of the 3D volumes resliced axial and coronal, with the scope lifted).
//
// Choice: for each k, the lowest threshold whose specificity on t = 0 series is ≥ 97.5 % at both lengths; then the
// largest k whose sensitivity on t = 3 series is ≥ 99 % at both lengths (a tumour seen on three slices is found, and no
// verdict rests on a single slice: with k = 1 one false-positive slice anywhere in a long series makes it Tumor, and the
// validation pool has only 180 no-tumour images to show how often that happens). The uncertain band runs from the lowest score with ≥ 90 % of t = 0 series
// below it to the lowest with ≥ 99.5 % below it (at both lengths): a series scored in it is Uncertain, so a Tumor
// verdict needs a score above the band's top.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDicom, renderFrame } from '../core/dicom/index.ts';
import { preprocess } from '../core/preprocess.ts';
import { withScope } from '../core/interpret.ts';
import { MODEL_INFO, SCOPE } from '../core/model.ts';
import { scopeOf, sliceFacts } from '../core/scope.ts';
import type { SeriesRule, SliceAnswer } from '../core/series/index.ts';
import { seriesVerdict } from '../core/series/index.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../node/classifier.ts';
import { decodeImage } from '../node/decode.ts';
import { detectInline } from '../node/detect-inline.ts';
import { nodeWasm } from '../node/dicom-wasm.ts';
import { analyseSeriesFile, seriesAnswers, type AnalysedSlice } from '../node/series.ts';
import { healthySlices } from './healthy-dicom.ts';
import { seriesMarkdown, type SeriesFigures } from './series-section.ts';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: DEFAULT_MODEL_PATH },
    data: { type: 'string', default: new URL('../../../shared/data/', import.meta.url).pathname },
    series: { type: 'string', default: '1000' },
    json: { type: 'string' },
    write: { type: 'boolean', default: false },
    // The validation pseudo-series only (no healthy series): what the rule's choice rests on, in a few seconds.
    'no-healthy': { type: 'boolean', default: false },
  },
});
const DATA = args.data!;
const PER_CELL = Number(args.series);
const LENGTHS = [16, 32];
const TUMOUR_COUNTS = [0, 1, 2, 3, 5, 8];
const KS = [1, 2, 3, 5];

const classifier = await createClassifier(args.model!);

// 1. Slice P(tumour) on the validation images.
const rows = readFileSync(new URL('../splits/splits.csv', import.meta.url), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const val = rows.filter(([split, source]) => split === 'val' && (source === 'brain-mri' || source === 'brain-mri-binary')).map((r) => r[2]!);
const noTumour: number[] = [];
const tumour: number[] = [];
let refused = 0;
for (const path of val) {
  const [a] = await classifier.analyse([preprocess(await decodeImage(new Uint8Array(readFileSync(join(DATA, path)))))]);
  if (!a || a.tumorProbability === null) { refused++; continue; }
  (/\/notumor\//.test(path) ? noTumour : tumour).push(a.tumorProbability);
}
console.log(`validation slices: ${noTumour.length} no tumour, ${tumour.length} tumour, ${refused} refused as not a brain MRI`);

// 2. Pseudo-series (mulberry32, seeded: the same series every run).
let seed = 0x5eed13;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (pool: number[]) => pool[Math.floor(rand() * pool.length)]!;
type Cell = { length: number; t: number; series: number[][] };
const cells: Cell[] = LENGTHS.flatMap((length) => TUMOUR_COUNTS.map((t) => ({
  length, t,
  series: Array.from({ length: PER_CELL }, () => [...Array.from({ length: length - t }, () => pick(noTumour)), ...Array.from({ length: t }, () => pick(tumour))]),
})));

const score = (ps: number[], k: number) => {
  const top = [...ps].sort((a, b) => b - a).slice(0, Math.min(k, ps.length));
  return top.reduce((s, p) => s + p, 0) / top.length;
};
const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

// 3. For each k: the lowest threshold with specificity ≥ 97.5 % at both lengths; its sensitivity by t.
const thresholds = [...Array.from({ length: 86 }, (_, i) => round(0.05 + i * 0.01, 2)), ...Array.from({ length: 100 }, (_, i) => round(0.9 + i * 0.001, 3))];
const lowestWithSpecificity = (scores: Array<{ t: number; scores: number[] }>, spec: number) =>
  thresholds.find((th) => scores.filter((c) => c.t === 0).every((c) => c.scores.filter((s) => s < th).length / c.scores.length >= spec)) ?? 0.999;
const candidates = KS.map((k) => {
  const scores = cells.map((c) => ({ ...c, scores: c.series.map((s) => score(s, k)) }));
  const rate = (t: number, length: number, th: number) => {
    const c = scores.find((x) => x.t === t && x.length === length)!;
    return c.scores.filter((s) => s >= th).length / c.scores.length;
  };
  const threshold = lowestWithSpecificity(scores, 0.975);
  const sensitivity = Object.fromEntries(TUMOUR_COUNTS.filter((t) => t > 0).map((t) => [t, LENGTHS.map((L) => round(rate(t, L, threshold)))]));
  const specificity = LENGTHS.map((L) => round(1 - rate(0, L, threshold)));
  const meanSens = TUMOUR_COUNTS.filter((t) => t >= 2).flatMap((t) => LENGTHS.map((L) => rate(t, L, threshold))).reduce((a, b) => a + b, 0) / (TUMOUR_COUNTS.filter((t) => t >= 2).length * LENGTHS.length);
  return { k, threshold, specificity, sensitivity, meanSens: round(meanSens), scores };
});
console.log('\nk  threshold  specificity(L=16,32)  sensitivity by tumour slices t (L=16 / L=32)  mean sens t≥2');
for (const c of candidates) {
  console.log(`${c.k}  ${c.threshold.toFixed(3)}       ${c.specificity.join(' / ')}          ${Object.entries(c.sensitivity).map(([t, v]) => `t=${t}: ${v.join('/')}`).join('  ')}   ${c.meanSens}`);
}
const best = [...candidates].reverse().find((c) => c.sensitivity[3]!.every((v) => v >= 0.99)) ?? candidates[0]!;
const low = Math.min(lowestWithSpecificity(best.scores, 0.9), best.threshold);
const high = Math.max(lowestWithSpecificity(best.scores, 0.995), best.threshold);
const rule: SeriesRule = { topK: best.k, threshold: best.threshold, uncertainBand: [low, high] };

// 4. The chosen rule's outcome table (result shares by cell), with the band.
const outcome = (ps: number[]) => seriesVerdict(ps.map((p, i) => ({ id: String(i), result: p >= 0.5 ? 'Tumor' : 'No Tumor', tumorProbability: p, label: null })), rule).result;
console.log(`\nchosen: top-${rule.topK} mean, Tumor at ≥ ${rule.threshold}, Uncertain in [${rule.uncertainBand.join(', ')}]`);
console.log('L   t   Tumor   Uncertain   No Tumor   (share of series)');
const table: SeriesFigures['table'] = [];
for (const c of cells) {
  const r = { Tumor: 0, Uncertain: 0, 'No Tumor': 0 } as Record<string, number>;
  for (const s of c.series) r[outcome(s)]!++;
  const row = { length: c.length, t: c.t, tumor: round(r.Tumor! / PER_CELL), uncertain: round(r.Uncertain! / PER_CELL), noTumor: round(r['No Tumor']! / PER_CELL) };
  table.push(row);
  console.log(`${String(c.length).padEnd(3)} ${String(c.t).padEnd(3)} ${row.tumor.toFixed(3)}   ${row.uncertain.toFixed(3)}       ${row.noTumor.toFixed(3)}`);
}

// 5. The healthy real series, through the series pipeline (scope applied), and the score the rule would give their
//    raw slice answers with the validated scope lifted (diagnostic only: they are sagittal, outside the scope).
const HEALTHY = join(DATA, 'brain-mri-normal-dicom');
const healthy: SeriesFigures['healthy'] = [];
for (const folder of args['no-healthy'] ? [] : readdirSync(HEALTHY).filter((f) => statSync(join(HEALTHY, f)).isDirectory()).sort()) {
  const dir = join(HEALTHY, folder);
  const analysed: AnalysedSlice[] = [];
  const raw: number[] = [];
  for (const name of readdirSync(dir).sort()) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const o = await analyseSeriesFile(join(folder, name), bytes, (b) => detectInline(classifier, b));
    analysed.push(...o.slices);
    if (!o.slices.length) continue;
    const file = openDicom(bytes);
    for (let n = 1; n <= file.image.frames; n++) {
      const [a] = await classifier.analyse([preprocess((await renderFrame(file, n, nodeWasm)).pixels)]);
      if (a?.tumorProbability != null) raw.push(a.tumorProbability);
    }
  }
  for (const { series } of seriesAnswers(analysed, rule)) {
    const rawScore = raw.length ? round(score(raw, rule.topK)) : null;
    const row = { folder, slices: series.slices, result: series.result, outside: series.outside, scoreWithoutScope: rawScore, wouldBe: rawScore === null ? null : outcome(raw) };
    healthy.push(row);
    console.log(`healthy ${folder}: ${series.slices} slices → ${series.result} ${JSON.stringify(series.outside)}; without the scope: score ${rawScore} → ${row.wouldBe}`);
  }
}
// 6. Diagnostic: the two 3D volumes resliced axial and coronal (models/scripts/healthy-dicom.ts): the rule on the raw
//    slice answers of each plane's inner 80 % with the scope lifted — how the rule alone would fare on healthy real heads.
for await (const plane of args['no-healthy'] ? [] : healthySlices(HEALTHY)) {
  const first = plane[0];
  if (!first || first.plane === 'native') continue;
  const ps: number[] = [];
  const answers: SliceAnswer[] = [];
  for (const s of plane) {
    const p = preprocess(s.pixels);
    const [a] = await classifier.analyse([p]);
    // The series verdict with the scope as the product applies it (with each slice's place and its head crop) …
    const scoped = withScope(a!, scopeOf(sliceFacts(s.meta, { index: s.index, count: s.count }, { crop: p.crop, width: s.pixels.width, height: s.pixels.height }), SCOPE));
    answers.push({ id: s.name, result: scoped.result, tumorProbability: scoped.tumorProbability, label: scoped.label, probabilities: scoped.probabilities, ...(scoped.result === 'Outside validated use' ? { outside: scoped.outside } : {}) });
    // … and the raw answers of the inner 80 % with the scope lifted.
    if (Math.abs((2 * s.index) / Math.max(1, s.count - 1) - 1) > 0.8) continue;
    if (a?.tumorProbability != null) ps.push(a.tumorProbability);
  }
  const verdict = seriesVerdict(answers, rule);
  const rawScore = ps.length ? round(score(ps, rule.topK)) : null;
  const row = { folder: `${first.series} resliced ${first.plane}`, slices: plane.length, result: verdict.result, outside: verdict.outside, scoreWithoutScope: rawScore, wouldBe: ps.length ? outcome(ps) : null, slicesOver05: ps.filter((p) => p >= 0.5).length, diagnosed: ps.length };
  healthy.push(row);
  console.log(`healthy ${row.folder}: → ${verdict.result} ${JSON.stringify(verdict.outside)}; inner ${ps.length} slices diagnosed, ${row.slicesOver05} at P ≥ 0.5; without the scope: score ${rawScore} → ${row.wouldBe}`);
}
if (healthy.some((h) => h.result === 'Tumor')) console.log('✗ a healthy real series came back Tumor');
console.log(`\ncard.json → series: ${JSON.stringify({ topK: rule.topK, threshold: rule.threshold, uncertainBand: rule.uncertainBand })}`);
if (args.write && args['no-healthy']) throw new Error('--write needs the healthy series: drop --no-healthy');
if (args.write) {
  const figures: SeriesFigures = {
    model: MODEL_INFO.version, seriesPerCell: PER_CELL, lengths: LENGTHS, tumourCounts: TUMOUR_COUNTS,
    slices: { noTumour: noTumour.length, tumour: tumour.length, refused },
    candidates: candidates.map(({ k, threshold, specificity, sensitivity }) => ({ k, threshold, specificity, sensitivity })),
    table,
    healthy,
  };
  const series = { rule: 'mean of the top-k slice P(tumour) among in-scope diagnosed slices', ...rule, figures };
  const cardUrl = new URL('../card.json', import.meta.url);
  const card = JSON.parse(readFileSync(cardUrl, 'utf8')) as Record<string, unknown>;
  // Key order kept; the series rule sits where it was (after decision when new).
  const out = 'series' in card ? { ...card, series } : Object.fromEntries(Object.entries(card).flatMap(([k, v]) => (k === 'decision' ? [[k, v], ['series', series]] : [[k, v]])));
  writeFileSync(cardUrl, JSON.stringify(out, null, 2) + '\n');
  const mdUrl = new URL('../MODEL_CARD.md', import.meta.url);
  const md = readFileSync(mdUrl, 'utf8');
  const section = seriesMarkdown(series);
  const at = md.indexOf('## Series verdict');
  const end = at < 0 ? -1 : md.indexOf('\n## ', at + 3);
  const next = at >= 0 ? md.slice(0, at) + section + md.slice(end < 0 ? md.length : end + 1) : md.replace('## Limits', `${section}## Limits`);
  writeFileSync(mdUrl, next);
  console.log('card.json → series and MODEL_CARD.md "Series verdict" written');
}
if (args.json) writeFileSync(args.json, JSON.stringify({ rule, candidates: candidates.map(({ scores: _s, ...c }) => c), table, healthy, slices: { noTumour: noTumour.length, tumour: tumour.length, refused } }, null, 2));
await classifier.release();

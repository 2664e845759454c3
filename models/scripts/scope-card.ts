// The model card's "Validated use (DICOM)" section from measured figures: per orientation, sequence family, edge
// rule and series of the healthy real-scanner slices (models/scripts/healthy-figures.ts, the shipped model), the
// leave-one-person-out figures of fine-tuned candidates, and their validation headline figures next to the shipped
// model's (models/scripts/evaluate-candidate.ts). Writes card.json → scope.figures and the section of MODEL_CARD.md.
//
//   npx tsx models/scripts/scope-card.ts --slices .cache/scope/slices-1.2.0.jsonl \
//     --lopo 'recipe A=.cache/scope/lopo-{person}-s1.jsonl' --eval .cache/ft/eval-all-s1.json,.cache/ft/eval-all-s2.json
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rate, type Rate } from '../node/evaluate.ts';
import { scopeMarkdown, type ScopeFigures } from './scope-section.ts';

const { values: args } = parseArgs({
  options: {
    slices: { type: 'string', default: '.cache/scope/slices-1.2.0.jsonl' },
    lopo: { type: 'string', multiple: true, default: [] },
    /** 'label=.cache/ft/lopo-{person}-s1.log': each fold's own last-epoch validation figures (train.py's log). */
    'fold-logs': { type: 'string', multiple: true, default: [] },
    eval: { type: 'string', default: '' },
    card: { type: 'string', default: 'models' },
  },
});

interface Row {
  series: string; person: string; plane: string; name: string; orientation: string | null; sequence: string; position: number | null;
  headExtentMm: number | null; fieldOfViewMm: number | null; scope: string[]; result: string; tumorProbability: number | null; error?: string;
}
const read = (p: string): Row[] => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row).filter((r) => !r.error);
const EDGE_MM = 150, EDGE_POS = 0.8;
const isEdge = (r: Row) => (r.headExtentMm !== null && r.headExtentMm < EDGE_MM) || (r.position !== null && r.position > EDGE_POS);
/** Called Tumor among the slices the model diagnosed (a refusal as not an MRI is no false alarm), with refusals counted. */
function fp(rows: Row[]): Rate & { refused: number; slices: number } {
  const dx = rows.filter((r) => r.result !== 'Not a brain MRI');
  return { ...rate(dx.filter((r) => r.result === 'Tumor').length, dx.length), refused: rows.length - dx.length, slices: rows.length };
}

const rows = read(args.slices!);
const inner = rows.filter((r) => !isEdge(r));
const group = <K extends string>(xs: Row[], key: (r: Row) => K) => {
  const out: Record<string, Row[]> = {};
  for (const r of xs) (out[key(r)] ??= []).push(r);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fp(v)]));
};

const lopo: ScopeFigures['lopo'] = [];
for (const spec of args.lopo!) {
  const [label, pattern] = spec.split('=') as [string, string];
  for (const person of ['philips', 'uih', 'siemens']) {
    const file = pattern.replace('{person}', person);
    if (!existsSync(file)) continue;
    const held = read(file);
    lopo.push({
      recipe: label, heldOut: person,
      all: fp(held), inner: fp(held.filter((r) => !isEdge(r))),
      byPlane: group(held.filter((r) => !isEdge(r)), (r) => r.orientation ?? 'unknown'),
      native: fp(held.filter((r) => r.plane === 'native')),
    });
  }
}

const foldValidation: ScopeFigures['foldValidation'] = [];
for (const spec of args['fold-logs']!) {
  const [label, pattern] = spec.split('=') as [string, string];
  for (const person of ['philips', 'uih', 'siemens']) {
    const file = pattern.replace('{person}', person);
    if (!existsSync(file)) continue;
    const epochs = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{') && l.includes('"epoch"')).map((l) => JSON.parse(l) as Record<string, number>);
    const last = epochs[epochs.length - 1];
    if (!last) continue;
    foldValidation.push({
      recipe: label, heldOut: person, epoch: last.epoch!, binaryAccuracy: last.brainmri_binary_acc!, fourClass: last.brainmri_4class_acc!,
      specificity: last.notumor_specificity!, otherSourceSensitivity: last.binary_sensitivity!, nonMriRejected: last.nonmri_rejected!, heldOutSpecificity: last.heldout_specificity!,
    });
  }
}

const evals = (args.eval ? args.eval.split(',') : []).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')) as {
  shipped: { headline: Record<string, number>; worst: unknown[] }; candidate?: { run: string; headline: Record<string, number> };
});

const figures: ScopeFigures = {
  model: JSON.parse(readFileSync(`${args.card}/card.json`, 'utf8')).version,
  data: 'healthy real-scanner DICOM, three adults (../shared/data/brain-mri-normal-dicom: Philips 3T MPRAGE, UIH 3T 3D GRE, Siemens 3T FLASH 2D in four positions), read by models/core/dicom; the two 3D volumes also resliced into axial and coronal planes (models/scripts/healthy-dicom.ts). No tumour anywhere: every slice called Tumor is a false alarm. Rates are of the slices the model diagnosed (those refused as not an MRI are counted apart).',
  edgeRule: { minHeadExtentMm: EDGE_MM, maxPosition: EDGE_POS },
  byOrientation: group(inner, (r) => r.orientation ?? 'unknown'),
  bySequence: group(inner, (r) => r.sequence),
  edge: {
    [`head crop < ${EDGE_MM} mm`]: fp(rows.filter((r) => r.headExtentMm !== null && r.headExtentMm < EDGE_MM)),
    [`head crop ≥ ${EDGE_MM} mm`]: fp(rows.filter((r) => r.headExtentMm !== null && r.headExtentMm >= EDGE_MM)),
    [`outer ${Math.round((1 - EDGE_POS) * 100)} % of the series`]: fp(rows.filter((r) => r.position !== null && r.position > EDGE_POS)),
    [`inner ${Math.round(EDGE_POS * 100)} %`]: fp(rows.filter((r) => r.position !== null && r.position <= EDGE_POS)),
  },
  bySeries: Object.entries(rows.reduce<Record<string, Row[]>>((a, r) => ({ ...a, [`${r.series} ${r.plane}`]: [...(a[`${r.series} ${r.plane}`] ?? []), r] }), {})).map(([k, v]) => ({
    series: k, slices: v.length, refused: v.filter((r) => r.result === 'Not a brain MRI').length,
    tumourBefore: v.filter((r) => r.result === 'Tumor').length,
    inScope: v.filter((r) => r.scope.length === 0).length,
    tumourInScope: v.filter((r) => r.scope.length === 0 && r.result === 'Tumor').length,
    maxP: Math.max(0, ...v.map((r) => r.tumorProbability ?? 0)),
  })),
  lopo,
  foldValidation,
  candidates: evals.filter((e) => e.candidate).map((e) => ({ run: e.candidate!.run.replace(/^.*\/all-s(\d+)$/, 'fine-tuned, recipe A, all three people, seed $1'), headline: e.candidate!.headline })),
  shipped: evals[0]?.shipped.headline ?? null,
  worst: (evals[0]?.shipped.worst ?? []) as ScopeFigures['worst'],
};

const card = JSON.parse(readFileSync(`${args.card}/card.json`, 'utf8'));
card.scope = { ...card.scope, figures };
writeFileSync(`${args.card}/card.json`, JSON.stringify(card, null, 2) + '\n');
const mdPath = `${args.card}/MODEL_CARD.md`;
const md = readFileSync(mdPath, 'utf8');
const section = scopeMarkdown(card.scope);
const start = md.indexOf('## Validated use (DICOM)');
const next = start < 0 ? -1 : md.indexOf('\n## ', start + 5);
const out = start < 0 ? md.replace('\n## Limits', `\n${section}\n## Limits`) : md.slice(0, start) + section + (next < 0 ? '' : md.slice(next + 1));
writeFileSync(mdPath, out);
console.log(section);

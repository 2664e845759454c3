// Per-slice answers of a model on the healthy real-scanner series (native slices and the 3D volumes resliced), with
// what the validated-use rules look at. Writes one JSON line a slice (no pixels) to --out; prints a summary.
//
//   npx tsx models/scripts/healthy-figures.ts [--model public/models/bigbrain-1.2.0.onnx] [--out .cache/scope/slices-1.2.0.jsonl]
//   npx tsx models/scripts/healthy-figures.ts --run .cache/ft/lopo-philips-s1 [--person philips]
//       a training run's model.onnx with its own calibrated decision (calibration.json); --person: that person's series only
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { preprocess } from '../core/preprocess.ts';
import { scopeOf, sliceFacts, type ScopeRules } from '../core/scope.ts';
import { DECISION, SCOPE } from '../core/model.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../node/classifier.ts';
import { healthySlices } from './healthy-dicom.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/brain-mri-normal-dicom' },
    model: { type: 'string', default: DEFAULT_MODEL_PATH },
    out: { type: 'string', default: '.cache/scope/slices.jsonl' },
    run: { type: 'string' },
    person: { type: 'string' },
  },
});

const rules: ScopeRules = SCOPE;
let modelPath = args.model!;
let decision = DECISION;
if (args.run) {
  const c = JSON.parse(readFileSync(join(args.run, 'calibration.json'), 'utf8')) as { threshold: number; mriThreshold: number };
  const t = c.threshold;
  decision = { threshold: +t.toFixed(4), mriThreshold: +c.mriThreshold.toFixed(4), uncertainBand: [+(t * 0.4).toFixed(4), +(t + (1 - t) * 0.4).toFixed(4)], maxColourfulness: 8 };
  modelPath = join(args.run, 'model.onnx');
}
const classifier = await createClassifier(modelPath, { decision });
const lines: string[] = [];
const summary: Record<string, { n: number; tumour: number; refused: number; inScope: number; inScopeTumour: number; maxP: number }> = {};
for await (const series of healthySlices(args.data!)) {
  for (const s of series) {
    if (args.person && s.person !== args.person) continue;
    let row: Record<string, unknown> = { series: s.series, person: s.person, plane: s.plane, name: s.name, index: s.index, count: s.count };
    try {
      const p = preprocess(s.pixels);
      const [a] = await classifier.analyse([p]);
      const facts = sliceFacts(s.meta, { index: s.index, count: s.count }, { crop: p.crop, width: s.pixels.width, height: s.pixels.height });
      const scope = scopeOf(facts, rules);
      row = { ...row, ...facts, scope: scope.inScope ? [] : scope.outside, result: a!.result, tumorProbability: a!.tumorProbability, mriProbability: a!.mriProbability };
      const key = `${s.series} ${s.plane}`;
      const t = (summary[key] ??= { n: 0, tumour: 0, refused: 0, inScope: 0, inScopeTumour: 0, maxP: 0 });
      t.n++;
      if (a!.result === 'Tumor') t.tumour++;
      if (a!.result === 'Not a brain MRI') t.refused++;
      if (scope.inScope) { t.inScope++; if (a!.result === 'Tumor') t.inScopeTumour++; }
      t.maxP = Math.max(t.maxP, a!.tumorProbability ?? 0);
    } catch (e) {
      row = { ...row, error: (e as Error).message };
    }
    lines.push(JSON.stringify(row));
  }
}
mkdirSync(dirname(args.out!), { recursive: true });
writeFileSync(args.out!, lines.join('\n') + '\n');
console.table(summary);
await classifier.release();

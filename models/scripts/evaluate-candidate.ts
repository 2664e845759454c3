// Validation figures of a candidate ONNX model (not shipped), beside the shipped one's, on the same rows: the issue's
// headline figures (same-mix binary / 4-class, other-source sensitivity / specificity, ECE, non-MRI refusal, MRIs
// wrongly refused) and the ten worst validation errors by file name. No pixels are written.
//
//   npx tsx models/scripts/evaluate-candidate.ts --run .cache/ft/all-s1 [--splits models/splits/splits.csv] [--out x.json]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LABELS } from '../core/contract.ts';
import { tumourProbabilityOf, type Decision } from '../core/interpret.ts';
import { DECISION } from '../core/model.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../node/classifier.ts';
import { metrics, predictRows, readSplits, type Metrics, type Prediction } from '../node/evaluate.ts';

const { values: args } = parseArgs({
  options: {
    run: { type: 'string' },
    data: { type: 'string', default: '../shared/data' },
    nonmri: { type: 'string', default: '.cache/nonmri' },
    splits: { type: 'string', default: 'models/splits/splits.csv' },
    split: { type: 'string', default: 'val' },
    out: { type: 'string' },
  },
});

export function decisionOf(calibration: { threshold: number; mriThreshold: number }): Decision {
  const t = calibration.threshold;
  return { threshold: +t.toFixed(4), mriThreshold: +calibration.mriThreshold.toFixed(4), uncertainBand: [+(t * 0.4).toFixed(4), +(t + (1 - t) * 0.4).toFixed(4)], maxColourfulness: 8 };
}

export const headline = (m: Metrics) => ({
  binaryAccuracy: m.brainMri.binaryAccuracy.value,
  tumourSensitivity: m.brainMri.tumourSensitivity.value,
  fourClass: m.brainMri.fourClassAccuracy.value,
  otherSourceSensitivity: m.brainMriBinary.tumourSensitivity.value,
  specificity: m.brainMri.specificity.value,
  eceBinary: m.brainMri.eceBinary,
  nonMriRejected: m.nonMri.rejected.value,
  mriWronglyRejected: Math.max(m.nonMri.mriWronglyRejected['brain-mri'].value, m.nonMri.mriWronglyRejected['brain-mri-binary'].value),
});

/**
 * The worst errors: a wrong tumour / no-tumour call or MRI refusal, by how far P(tumour) sits on the wrong side; then
 * tumours of the wrong type, by the probability of the type given.
 */
export function worst(preds: Prediction[], decision: Decision, k = 10) {
  return preds
    .map((p) => {
      const t = tumourProbabilityOf(p.probabilities);
      const refused = p.mriProbability < decision.mriThreshold || p.colourfulness > decision.maxColourfulness;
      if (p.row.source === 'nonmri') return { file: `nonmri/${p.row.path}`, source: p.row.source, truth: p.truth, said: refused ? 'Not a brain MRI' : t >= decision.threshold ? 'Tumor' : 'No Tumor', margin: refused ? -2 : p.mriProbability };
      const tumour = p.truth !== 'notumor';
      const said = refused ? 'Not a brain MRI' : t >= decision.threshold ? 'Tumor' : 'No Tumor';
      const wrong = said === 'Not a brain MRI' || (said === 'Tumor') !== tumour;
      if (!wrong && said === 'Tumor' && p.row.source === 'brain-mri') {
        // A tumour of the wrong type (4-class error): ranked after the tumour / no-tumour errors, by P(that type).
        const types = p.probabilities.slice(0, 3), best = types.indexOf(Math.max(...types));
        const label = LABELS[best]!;
        if (label !== p.truth) return { file: p.row.path, source: p.row.source, truth: p.truth, said: `Tumor (${label})`, pTumour: t, margin: types[best]! - 1 };
      }
      return { file: p.row.path, source: p.row.source, truth: p.truth, said, pTumour: t, margin: wrong ? (said === 'Not a brain MRI' ? 1 : tumour ? 1 - t : t) : -2 };
    })
    .filter((e) => e.margin > -2)
    .sort((a, b) => b.margin - a.margin)
    .slice(0, k);
}

const rows = readSplits(args.splits!).filter((r) => r.split === args.split && (r.source !== 'nonmri' || existsSync(join(args.nonmri!, r.path))));
const figures = async (model: string, decision: Decision) => {
  const c = await createClassifier(model, { threads: 2, decision });
  const preds = await predictRows(c, rows, { data: args.data!, nonmri: args.nonmri! });
  await c.release();
  return { headline: headline(metrics(preds, decision)), worst: worst(preds, decision), metrics: metrics(preds, decision) };
};
const shipped = await figures(DEFAULT_MODEL_PATH, DECISION);
const result: Record<string, unknown> = { split: args.split, rows: rows.length, shipped: { headline: shipped.headline, worst: shipped.worst } };
if (args.run) {
  const calib = JSON.parse(readFileSync(join(args.run, 'calibration.json'), 'utf8'));
  const decision = decisionOf(calib);
  const cand = await figures(join(args.run, 'model.onnx'), decision);
  result.candidate = { run: args.run, decision, headline: cand.headline, worst: cand.worst, metrics: cand.metrics };
}
result.shippedMetrics = shipped.metrics;
if (args.out) writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ shipped: shipped.headline, candidate: (result.candidate as { headline?: unknown } | undefined)?.headline }, null, 2));

// A report for DICOM slices analysed in the Analyse panel (a batch, a multi-frame file), until the series feature
// hands the report its own SeriesResult. The verdict is the shared series rule (models/core/series seriesVerdict,
// card.json → series) over the slices in the order they were analysed; the report says so.
import { evidenceMap } from '../../../models/core/heatmap.ts';
import { DECISION, MODEL_INFO, MODEL_SHA256, SERIES_RULE } from '../../../models/core/model.ts';
import { seriesVerdict } from '../../../models/core/series/index.ts';
import type { AnalysisResult, SeriesKeySlice, SeriesResult } from '../../lib/types.ts';

export interface SliceForReport {
  result: AnalysisResult;
}

const pct = (p: number) => `${+(p * 100).toFixed(1)} %`;
export const ruleText = (r = SERIES_RULE) =>
  `mean P(tumour) of the top ${r.topK} counted slices; Tumor at ≥ ${pct(r.threshold)}, Uncertain in ${pct(r.uncertainBand[0])}–${pct(r.uncertainBand[1])}`;
const diagnosed = (r: AnalysisResult) => r.tumorProbability !== null && (r.result === 'Tumor' || r.result === 'No Tumor');

export function seriesFromSlices(slices: SliceForReport[], now = new Date()): SeriesResult {
  const results = slices.map((s) => s.result);
  const first = results[0];
  const dicom = results.find((r) => r.dicom)?.dicom;
  const v = seriesVerdict(
    results.map((r, i) => ({
      id: String(i),
      result: r.result,
      tumorProbability: r.tumorProbability,
      label: r.label,
      probabilities: r.probabilities,
      ...('outside' in r ? { outside: r.outside } : {}),
    })),
    SERIES_RULE,
  );
  const keyIndex = v.keySlices.map(Number);
  const keys: SeriesKeySlice[] = keyIndex.flatMap((index) => {
    const r = results[index]!;
    if (!r.pixels || r.tumorProbability === null) return [];
    const size = Math.round(Math.sqrt(r.pixels.length));
    return [{
      index,
      frame: r.dicom?.frame,
      tumorProbability: r.tumorProbability,
      image: { width: size, height: size, data: r.pixels },
      ...(r.cam && r.camSize ? { heatmap: { width: r.camSize, height: r.camSize, values: evidenceMap(r.cam, r.tumorProbability) } } : {}),
    }];
  });
  const outside = Object.entries(v.outside).map(([why, n]) => `${why} (${n} slice${n === 1 ? '' : 's'})`);
  return {
    study: { description: '', date: dicom?.patient.studyDate ?? '' },
    series: { description: dicom?.seriesDescription ?? '', modality: dicom?.modality, slices: results.length },
    ...(dicom ? { patient: { name: dicom.patient.name, id: dicom.patient.id } } : {}),
    verdict: { result: v.result, tumorProbability: v.tumorProbability, label: v.label, uncertain: v.uncertain, keySlices: keyIndex, ...(outside.length ? { outside } : {}) },
    keySlices: keys,
    slices: results.map((r, index) => ({ index, tumorProbability: r.tumorProbability, counted: diagnosed(r) })),
    model: { name: first?.model.name ?? MODEL_INFO.name, version: first?.model.version ?? MODEL_INFO.version, sha256: MODEL_SHA256 },
    thresholds: {
      decision: DECISION,
      series: { rule: `${ruleText()} — slices in the order analysed`, threshold: SERIES_RULE.threshold, uncertainBand: SERIES_RULE.uncertainBand },
    },
    backend: first?.backend ?? 'WASM',
    ...(first?.threads ? { threads: first.threads } : {}),
    analysedAt: now.toISOString(),
  };
}

// A SeriesResult as the series feature hands it over, with the recognisable fake identity of the DICOM fixtures:
// tests check where it may appear (the report, when ticked) and where never (history).
import { DECISION, MODEL_INFO, MODEL_SHA256 } from '../../models/core/model.ts';
import type { SeriesResult } from '../../web/lib/types.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';

export const FAKE_SERIES_UID = '2.25.91234567892000777';
export const FAKE_STUDY_DESCRIPTION = 'BRAIN WITH CONTRAST FAKE STUDY';

export function fakeSeries(over: Partial<SeriesResult> = {}): SeriesResult {
  const n = 24;
  const probs = Array.from({ length: n }, (_, i) => (i >= 10 && i <= 13 ? 0.6 + 0.09 * (i - 10) : 0.03 + 0.002 * i));
  const order = probs.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
  return {
    study: { description: FAKE_STUDY_DESCRIPTION, date: FAKE_PATIENT.studyDate },
    series: { description: FAKE_PATIENT.seriesDescription, modality: 'MR', number: 3, slices: n },
    seriesInstanceUidSha256: 'c'.repeat(64),
    patient: { name: 'DOE JANE', id: FAKE_PATIENT.patientId },
    verdict: { result: 'Tumor', tumorProbability: 0.83, label: 'glioma', uncertain: false, keySlices: order.slice(0, 3) },
    keySlices: order.slice(0, 3).map((index) => ({
      index,
      instance: index + 1,
      position: -40 + 5 * index,
      tumorProbability: probs[index]!,
      image: { width: 96, height: 96, data: new Uint8Array(96 * 96).map((_, i) => (i * 7) % 256) },
      heatmap: { width: 6, height: 6, values: Array.from({ length: 36 }, (_, i) => (i / 35) * probs[index]!) },
    })),
    slices: probs.map((p, index) => ({ index, position: -40 + 5 * index, tumorProbability: index === 0 ? null : p, counted: index !== 0 })),
    model: { ...MODEL_INFO, sha256: MODEL_SHA256 },
    thresholds: { decision: DECISION, series: { rule: 'mean of the top-3 slice P(tumour)', threshold: 0.5, uncertainBand: [0.35, 0.65] } },
    backend: 'WASM',
    threads: 2,
    analysedAt: '2026-12-01T09:30:00.000Z',
    ...over,
  };
}

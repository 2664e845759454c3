// The shipped model, as its card describes it: the one import for name, version, file and decision rule.
import card from '../card.json';
import type { Decision } from './interpret.ts';
import type { ModelInfo } from './contract.ts';
import type { SeriesRule } from './series/types.ts';
import type { Orientation, ScopeRules, SequenceFamily } from './scope.ts';

export const MODEL_CARD = card;
export const MODEL_INFO: ModelInfo = { name: card.name, version: card.version };
export const MODEL_SHA256: string = card.sha256;
/** Path of the ONNX file under public/ (served at /models/...). */
export const MODEL_FILE: string = card.file;
/**
 * The server's int8 build of the same weights (models/scripts/quantize.ts), when the card holds one made from this
 * very file: same validation figures, a third of the inference time. The browser keeps the fp32 file.
 */
export const INT8_BUILD: { file: string; sha256: string } | null = (() => {
  const int8 = (card as { int8?: { file: string; sha256: string; forSha256: string } }).int8;
  return int8 && int8.forSha256 === card.sha256 ? { file: int8.file, sha256: int8.sha256 } : null;
})();
export const DECISION: Decision = {
  threshold: card.decision.threshold,
  mriThreshold: card.decision.mriThreshold,
  uncertainBand: card.decision.uncertainBand as [number, number],
  maxColourfulness: card.decision.maxColourfulness,
};
/** How slice answers become a series verdict (models/core/series), chosen on validation series (models/scripts/series-rule.ts). */
export const SERIES_RULE: SeriesRule = {
  topK: card.series.topK,
  threshold: card.series.threshold,
  uncertainBand: card.series.uncertainBand as [number, number],
};
/** The validated scope of DICOM slices (models/core/scope.ts), chosen on validation figures for this model. */
export const SCOPE: ScopeRules = {
  orientations: card.scope.orientations as Orientation[],
  sequences: card.scope.sequences as SequenceFamily[],
  contrast: card.scope.contrast,
  minHeadExtentMm: card.scope.minHeadExtentMm,
  maxPosition: card.scope.maxPosition,
};

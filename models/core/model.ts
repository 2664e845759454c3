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

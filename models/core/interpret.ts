// Model outputs → the answer every client shows. Shared by the server, the CLI and the browser.
import { LABELS, type Label, type ModelInfo, type ResultWord } from './contract.ts';
import type { Scope } from './scope.ts';

export interface Decision {
  /** P(tumour) at or above this is "Tumor" (chosen on validation to favour sensitivity). */
  threshold: number;
  /** P(brain MRI) below this is "Not a brain MRI". */
  mriThreshold: number;
  /** P(tumour) inside [low, high] is flagged uncertain. */
  uncertainBand: [number, number];
  /** Mean channel difference above which an image is colour, so not an MRI. */
  maxColourfulness: number;
}

interface AnswerBase {
  mriProbability: number;
  uncertain: boolean;
  model: ModelInfo;
}

export interface Diagnosis extends AnswerBase {
  result: Exclude<ResultWord, 'Not a brain MRI' | 'Outside validated use'>;
  label: Label;
  probabilities: Record<Label, number>;
  tumorProbability: number;
}

/**
 * An image the model does not take for a brain MRI: nothing about tumours (the class probabilities would give
 * P(tumour) away as 1 − P(notumor)), never uncertain.
 */
export interface Refusal extends AnswerBase {
  result: 'Not a brain MRI';
  label: null;
  probabilities: null;
  tumorProbability: null;
  uncertain: false;
}

/**
 * A DICOM slice outside the validated scope (models/core/scope.ts): no diagnosis, as for a refusal, and the reasons
 * (e.g. "sagittal", "proton density", "edge of the head").
 */
export interface OutsideScope extends AnswerBase {
  result: 'Outside validated use';
  label: null;
  probabilities: null;
  tumorProbability: null;
  uncertain: false;
  outside: string[];
}

export type Analysis = Diagnosis | Refusal | OutsideScope;

export const isDiagnosis = (a: Analysis): a is Diagnosis => a.result === 'Tumor' || a.result === 'No Tumor';

/**
 * The scope applied to an answer: a diagnosis of a slice outside the scope becomes "Outside validated use" (a
 * refusal as not an MRI stays one: that says more). No scope (a picture, not DICOM): the answer as it is.
 */
export function withScope(a: Analysis, scope: Scope | null | undefined): Analysis {
  if (!scope || scope.inScope || !isDiagnosis(a)) return a;
  return { result: 'Outside validated use', label: null, probabilities: null, tumorProbability: null, mriProbability: a.mriProbability, uncertain: false, model: a.model, outside: scope.outside };
}

export interface RawOutput {
  probabilities: ArrayLike<number>; // 4, label order
  mriProbability: number;
  colourfulness: number;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** P(tumour) from the four label-order probabilities, as answers carry it (evaluation scores every image by it). */
export const tumourProbabilityOf = (probabilities: ArrayLike<number>): number => round(1 - probabilities[LABELS.indexOf('notumor')]!);

export function interpret(raw: RawOutput, decision: Decision, model: ModelInfo): Analysis {
  const mriProbability = round(raw.mriProbability);
  const isMri = raw.mriProbability >= decision.mriThreshold && raw.colourfulness <= decision.maxColourfulness;
  if (!isMri) return { result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, mriProbability, uncertain: false, model };
  const probabilities = Object.fromEntries(LABELS.map((l, i) => [l, round(raw.probabilities[i]!)])) as Record<Label, number>;
  const tumorProbability = tumourProbabilityOf(raw.probabilities);
  const tumour = tumorProbability >= decision.threshold;
  let label: Label = 'notumor';
  if (tumour) {
    let best = 0;
    for (let i = 1; i < 3; i++) if (raw.probabilities[i]! > raw.probabilities[best]!) best = i;
    label = LABELS[best]!;
  }
  const [low, high] = decision.uncertainBand;
  return {
    result: tumour ? 'Tumor' : 'No Tumor',
    label,
    probabilities,
    tumorProbability,
    mriProbability,
    uncertain: tumorProbability >= low && tumorProbability <= high,
    model,
  };
}

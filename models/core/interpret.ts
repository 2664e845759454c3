// Model outputs → the answer every client shows. Shared by the server, the CLI and the browser.
import { LABELS, type Label, type ModelInfo, type ResultWord } from './contract.ts';

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

export interface Analysis {
  result: ResultWord;
  label: Label;
  probabilities: Record<Label, number>;
  tumorProbability: number;
  mriProbability: number;
  uncertain: boolean;
  model: ModelInfo;
}

export interface RawOutput {
  probabilities: ArrayLike<number>; // 4, label order
  mriProbability: number;
  colourfulness: number;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

export function interpret(raw: RawOutput, decision: Decision, model: ModelInfo): Analysis {
  const probabilities = Object.fromEntries(LABELS.map((l, i) => [l, round(raw.probabilities[i]!)])) as Record<Label, number>;
  const tumorProbability = round(1 - raw.probabilities[LABELS.indexOf('notumor')]!);
  const isMri = raw.mriProbability >= decision.mriThreshold && raw.colourfulness <= decision.maxColourfulness;
  const tumour = tumorProbability >= decision.threshold;
  let label: Label = 'notumor';
  if (tumour) {
    let best = 0;
    for (let i = 1; i < 3; i++) if (raw.probabilities[i]! > raw.probabilities[best]!) best = i;
    label = LABELS[best]!;
  }
  const [low, high] = decision.uncertainBand;
  return {
    result: !isMri ? 'Not a brain MRI' : tumour ? 'Tumor' : 'No Tumor',
    label,
    probabilities,
    tumorProbability,
    mriProbability: round(raw.mriProbability),
    uncertain: isMri && tumorProbability >= low && tumorProbability <= high,
    model,
  };
}

// Image bytes → the model's answer on the calling thread: decode (sharp, or the DICOM reader) → preprocess → analyse.
// Throws DecodeError / PreprocessError / DicomError for inputs the pipeline refuses.
import type { DicomSummary, Window } from '../core/dicom/index.ts';
import { heatmapOf, type Heatmap } from '../core/heatmap.ts';
import { isDiagnosis, withScope, type Analysis } from '../core/interpret.ts';
import { SCOPE } from '../core/model.ts';
import { scopeOf, sliceFacts } from '../core/scope.ts';
import { preprocess, type Preprocessed } from '../core/preprocess.ts';
import { createBatcher, type BatchOptions } from './batcher.ts';
import type { Classifier } from './classifier.ts';
import { decodeInput, type DecodedInput, type InputFrame } from './decode-input.ts';
import { overlayPng } from './overlay.ts';

/** What to add to an answer; off by default, so the common path carries neither map nor PNG. */
export interface DetectOptions {
  heatmap?: boolean;
  /** A PNG data URL of the heat map over the model's crop (implies heatmap). */
  overlay?: boolean;
}

/** The answer, with the heat map and overlay when asked for (never for an image refused as not an MRI). */
export type Detected = Analysis & {
  heatmap?: Heatmap;
  overlay?: string;
  /** DICOM: how the file was read; the window is that of the frame answered at the top level. */
  dicom?: DicomSummary;
  /** Multi-frame DICOM: the frame answered at the top level (the most suspicious in scope), and every frame's answer. */
  frame?: number;
  frames?: Array<Detected & { frame: number; window: Window | null }>;
  /** DICOM: the rendered frames' sha256, for the history (never sent back: analyse-image.ts takes it off). */
  pixelSha256?: string;
};

/** A DICOM frame's validated-use verdict (models/core/scope.ts); null for a picture, which has no metadata. */
export const frameScope = (frame: InputFrame, input: Preprocessed) =>
  frame.meta ? scopeOf(sliceFacts(frame.meta, frame.where, { crop: input.crop, width: frame.pixels.width, height: frame.pixels.height }), SCOPE) : null;

async function answer(model: Pick<Classifier, 'analyse'>, input: Preprocessed, frame: InputFrame, options: DetectOptions): Promise<Detected> {
  const [r] = await model.analyse([input]);
  if (!r) throw new Error('the classifier returned no result');
  const { cam, camSize, ...raw } = r;
  // A DICOM slice outside the validated scope: no diagnosis, so no heat map either.
  const analysis = withScope(raw, frameScope(frame, input));
  if (!isDiagnosis(analysis) || !(options.heatmap || options.overlay)) return analysis;
  const heatmap = heatmapOf(cam, camSize, analysis.tumorProbability);
  return options.overlay ? { ...analysis, heatmap, overlay: await overlayPng(input.pixels, input.size, heatmap) } : { ...analysis, heatmap };
}

/** Diagnoses by P(tumour), then frames outside the validated scope, then refusals. */
const suspicion = (a: Analysis) => (isDiagnosis(a) ? a.tumorProbability : a.result === 'Outside validated use' ? -0.5 : -1);

/**
 * One answer per frame; a DICOM's top level is its most suspicious frame in the validated scope (frames outside it
 * are never the top while one in it exists), with the `dicom` block.
 */
async function answerAll(model: Pick<Classifier, 'analyse'>, inputs: Preprocessed[], decoded: DecodedInput, options: DetectOptions): Promise<Detected> {
  const answers = await Promise.all(inputs.map((input, i) => answer(model, input, decoded.frames[i]!, options)));
  if (!decoded.dicom) return answers[0]!;
  let top = 0;
  answers.forEach((a, i) => { if (suspicion(a) > suspicion(answers[top]!)) top = i; });
  const dicom = { ...decoded.dicom, window: decoded.frames[top]!.window };
  const pixelSha256 = decoded.pixelSha256 ?? undefined;
  if (answers.length === 1) return { ...answers[0]!, dicom, pixelSha256 };
  const frames = answers.map((a, i) => ({ ...a, frame: decoded.frames[i]!.frame!, window: decoded.frames[i]!.window }));
  return { ...frames[top]!, dicom, frames, pixelSha256 };
}

const preprocessAll = (decoded: DecodedInput) => decoded.frames.map((f) => preprocess(f.pixels));

export async function detectInline(model: Pick<Classifier, 'analyse'>, bytes: Uint8Array, options: DetectOptions = {}): Promise<Detected> {
  const decoded = await decodeInput(bytes);
  return answerAll(model, preprocessAll(decoded), decoded, options);
}

/**
 * The same with dynamic batching: an image waits for company only while other images are still being
 * decoded here (so a lone request never waits), up to maxWaitMs and maxBatch.
 */
export function createBatchingDetector(model: Pick<Classifier, 'analyse'>, { maxBatch, maxWaitMs }: Omit<BatchOptions, 'more'>) {
  let decoding = 0;
  const batched = maxBatch > 1 ? createBatcher(model, { maxBatch, maxWaitMs, more: () => decoding > 0 }) : model;
  return async (bytes: Uint8Array, options: DetectOptions = {}): Promise<Detected> => {
    decoding++;
    let decoded: DecodedInput;
    let inputs: Preprocessed[];
    try {
      decoded = await decodeInput(bytes);
      inputs = preprocessAll(decoded);
    } finally {
      decoding--;
    }
    return answerAll(batched, inputs, decoded, options);
  };
}

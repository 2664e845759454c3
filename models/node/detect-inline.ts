// Image bytes → the model's answer on the calling thread: decode (sharp) → preprocess → analyse.
// Throws DecodeError / PreprocessError for images the pipeline refuses.
import { heatmapOf, type Heatmap } from '../core/heatmap.ts';
import type { Analysis } from '../core/interpret.ts';
import { preprocess, type Preprocessed } from '../core/preprocess.ts';
import { createBatcher, type BatchOptions } from './batcher.ts';
import type { Classifier } from './classifier.ts';
import { decodeImage } from './decode.ts';
import { overlayPng } from './overlay.ts';

/** What to add to an answer; off by default, so the common path carries neither map nor PNG. */
export interface DetectOptions {
  heatmap?: boolean;
  /** A PNG data URL of the heat map over the model's crop (implies heatmap). */
  overlay?: boolean;
}

/** The answer, with the heat map and overlay when asked for (never for an image refused as not an MRI). */
export type Detected = Analysis & { heatmap?: Heatmap; overlay?: string };

async function answer(model: Pick<Classifier, 'analyse'>, input: Preprocessed, options: DetectOptions): Promise<Detected> {
  const [r] = await model.analyse([input]);
  if (!r) throw new Error('the classifier returned no result');
  const { cam, camSize, ...analysis } = r;
  if (analysis.result === 'Not a brain MRI' || !(options.heatmap || options.overlay)) return analysis;
  const heatmap = heatmapOf(cam, camSize);
  return options.overlay ? { ...analysis, heatmap, overlay: await overlayPng(input.pixels, input.size, heatmap) } : { ...analysis, heatmap };
}

export async function detectInline(model: Pick<Classifier, 'analyse'>, bytes: Uint8Array, options: DetectOptions = {}): Promise<Detected> {
  return answer(model, preprocess(await decodeImage(bytes)), options);
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
    let input: Preprocessed;
    try {
      input = preprocess(await decodeImage(bytes));
    } finally {
      decoding--;
    }
    return answer(batched, input, options);
  };
}

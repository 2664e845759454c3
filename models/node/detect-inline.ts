// Image bytes → the model's answer on the calling thread: decode (sharp) → preprocess → analyse.
// Throws DecodeError / PreprocessError for images the pipeline refuses.
import type { Analysis } from '../core/interpret.ts';
import { preprocess, type Preprocessed } from '../core/preprocess.ts';
import { createBatcher, type BatchOptions } from './batcher.ts';
import type { Classifier } from './classifier.ts';
import { decodeImage } from './decode.ts';

async function answer(model: Pick<Classifier, 'analyse'>, input: Preprocessed): Promise<Analysis> {
  const [r] = await model.analyse([input]);
  if (!r) throw new Error('the classifier returned no result');
  return {
    result: r.result, label: r.label, probabilities: r.probabilities, tumorProbability: r.tumorProbability,
    mriProbability: r.mriProbability, uncertain: r.uncertain, model: r.model,
  };
}

export async function detectInline(model: Pick<Classifier, 'analyse'>, bytes: Uint8Array): Promise<Analysis> {
  return answer(model, preprocess(await decodeImage(bytes)));
}

/**
 * The same with dynamic batching: an image waits for company only while other images are still being
 * decoded here (so a lone request never waits), up to maxWaitMs and maxBatch.
 */
export function createBatchingDetector(model: Pick<Classifier, 'analyse'>, { maxBatch, maxWaitMs }: Omit<BatchOptions, 'more'>) {
  let decoding = 0;
  const batched = maxBatch > 1 ? createBatcher(model, { maxBatch, maxWaitMs, more: () => decoding > 0 }) : model;
  return async (bytes: Uint8Array): Promise<Analysis> => {
    decoding++;
    let input: Preprocessed;
    try {
      input = preprocess(await decodeImage(bytes));
    } finally {
      decoding--;
    }
    return answer(batched, input);
  };
}

// Image bytes → the model's answer, with the shared pipeline: decode (sharp) → preprocess → ONNX → interpret,
// on the server's worker threads (or inline: models/node/detect-inline.ts).
// Every failure is an ApiError with the status and code the contract promises.
import { createHash } from 'node:crypto';
import type { Diagnosis, OutsideScope } from '../../models/core/interpret.ts';
import { PreprocessError } from '../../models/core/preprocess.ts';
import { DicomError } from '../../models/core/dicom/index.ts';
import { DecodeError } from '../../models/node/decode.ts';
import type { Detected, DetectOptions } from '../../models/node/detect-inline.ts';
import type { Detector } from '../../models/node/server-classifier.ts';
import { ApiError } from '../errors.ts';

const DECODE_STATUS = { unsupported_type: 415, too_large: 413, corrupt_image: 422, empty_file: 400 } as const;
const PREPROCESS_STATUS = { too_large: 413, too_small: 422, bad_dimensions: 422, bad_buffer: 422 } as const;
const DICOM_STATUS = {
  corrupt_image: 422, no_image: 422, not_mri: 422, unsupported_image: 415, unsupported_transfer_syntax: 415, too_large: 413,
} as const;
const preprocessCode = (code: PreprocessError['code']) => (code === 'too_large' || code === 'too_small' ? code : 'corrupt_image');

export interface ImageAnalysis {
  /** A diagnosis, or (a DICOM slice outside the validated scope) "Outside validated use" with no diagnosis. */
  analysis: Detected & (Diagnosis | OutsideScope);
  sha256: string;
  ms: number;
}

export async function analyseImage(bytes: Uint8Array, classifier: Detector, options: DetectOptions = {}): Promise<ImageAnalysis> {
  const started = performance.now();
  let detected: Detected;
  try {
    detected = await classifier.detect(bytes, options);
  } catch (err) {
    if (err instanceof DicomError) throw new ApiError(DICOM_STATUS[err.code], err.code, err.message);
    if (err instanceof DecodeError) throw new ApiError(DECODE_STATUS[err.code], err.code, err.message);
    if (err instanceof PreprocessError) throw new ApiError(PREPROCESS_STATUS[err.code], preprocessCode(err.code), err.message);
    throw err;
  }
  // A DICOM file's own hash is a hash of its patient header too: the history keeps the rendered pixels' instead.
  const { pixelSha256, ...analysis } = detected;
  const sha256 = pixelSha256 ?? createHash('sha256').update(bytes).digest('hex');
  if (analysis.result === 'Not a brain MRI') {
    throw new ApiError(422, 'not_mri', 'This image does not look like a brain MRI, so no diagnosis is given. Upload an axial brain MRI slice.');
  }
  return { analysis, sha256, ms: Math.round((performance.now() - started) * 10) / 10 };
}

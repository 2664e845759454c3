// Shapes shared by the features: one analysed image, wherever it ran.
import type { Analysis } from '../../models/core/interpret.ts';
import type { Box } from '../../models/core/preprocess.ts';
import type { DicomInfo } from './dicom-info.ts';
import type { Backend } from './runtime.ts';

/** A diagnosis or a refusal ("Not a brain MRI": label, probabilities and P(tumour) null), and where it ran. */
export type AnalysisResult = Analysis & RunInfo;

export interface RunInfo {
  backend: Backend;
  /** Model-only time (device) or the server's reported time, ms. */
  ms: number;
  /** Decode + preprocess + inference + interpretation on the device, ms. */
  totalMs?: number;
  /** The 96×96 grey crop the model saw (device runs only). */
  pixels?: Uint8Array;
  /** The tumour evidence map, row-major (device runs only). */
  cam?: Float32Array;
  camSize?: number;
  crop?: Box;
  /** Fraction of the image's channels that differ (colour photos are not MRIs). */
  colourfulness?: number;
  threads?: number;
  /** A DICOM frame: which one, how it was read, whose scan (shown on this device only; never stored or sent). */
  dicom?: DicomInfo;
}

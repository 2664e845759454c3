// Shapes shared by the features: one analysed image, wherever it ran.
import type { Analysis, Decision } from '../../models/core/interpret.ts';
import type { Box } from '../../models/core/preprocess.ts';
import type { DicomInfo, SliceView } from './dicom-info.ts';
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
  /** Series reading on the device: the frame's modality values, for the viewer's window (not what the model saw). */
  view?: SliceView | null;
}

/** A grey image, 8-bit row-major, or one already encoded (a PNG data URL). */
export type GreyImage = { width: number; height: number; data: Uint8Array } | { width: number; height: number; src: string };

/** One of a series' key slices, as the series feature hands it to the viewer and the report. */
export interface SeriesKeySlice {
  /** 0-based index in slice order (the order along the slice normal). */
  index: number;
  instance?: number;
  frame?: number;
  /** Position along the slice normal, mm. */
  position?: number;
  tumorProbability: number;
  /** The crop the model saw. */
  image: GreyImage;
  /** The evidence map as shown, values in [0, 1] row-major, already scaled the shared way (models/core/heatmap.ts). */
  heatmap?: { width: number; height: number; values: ArrayLike<number> };
}

/** P(tumour) of one slice along the series (null: no diagnosis); `counted`: inside the validated use, so it counts. */
export interface SeriesSlicePoint {
  index: number;
  position?: number;
  tumorProbability: number | null;
  counted: boolean;
}

/** One analysed series: what the report prints, what history keeps a trace of (never the patient fields). */
export interface SeriesResult {
  study: { description: string; /** DICOM DA (YYYYMMDD) or ISO date; '' when absent. */ date: string };
  series: { description: string; modality?: string; number?: number; slices: number; date?: string };
  /** sha256 of the Series Instance UID (history keeps this, never the UID). */
  seriesInstanceUidSha256?: string;
  /** On this device only: printed only when the user ticks it for one report, never stored or sent. */
  patient?: { name: string; id: string };
  verdict: {
    /** models/core/series seriesVerdict's words ('Uncertain' included), or a slice's for a single-slice report. */
    result: Analysis['result'] | 'Uncertain';
    tumorProbability: number | null;
    label: string | null;
    uncertain: boolean;
    /** Indices (into `slices`) of the key slices, most suspicious first. */
    keySlices: number[];
    /** Why the series is outside the validated use, when it is. */
    outside?: string[];
  };
  keySlices: SeriesKeySlice[];
  slices: SeriesSlicePoint[];
  /** models/core/model.ts MODEL_INFO and MODEL_SHA256. */
  model: { name: string; version: string; sha256: string };
  thresholds: {
    /** models/core/model.ts DECISION (per slice). */
    decision: Decision;
    /** The rule that turns slice answers into the series verdict. */
    series: { rule: string; threshold?: number; uncertainBand?: [number, number] };
  };
  backend: Backend;
  threads?: number;
  /** When it was analysed, ISO 8601. */
  analysedAt: string;
}

// The series vocabulary shared by the PWA, the server and the CLI: slices in, groups out; slice answers in, a verdict out.
import type { Label } from '../contract.ts';
import type { SliceMeta } from '../dicom/index.ts';

export type Orientation = 'axial' | 'coronal' | 'sagittal';

/** One slice: a single-frame file, or one frame of a multi-frame file. */
export interface SeriesSlice {
  /** The caller's key: a file path, or a name and frame. Never read for grouping or order. */
  id: string;
  meta: SliceMeta;
  /** 1-based frame of a multi-frame file; null for a single-frame file. */
  frame: number | null;
}

export interface SeriesGroup {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  description: string;
  modality: string;
  /** The dominant axis of the slice normal (Image Orientation Patient); null without it. */
  orientation: Orientation | null;
  /** In order along the slice normal (else Instance Number, else frame). */
  slices: SeriesSlice[];
}

/** One slice's answer, as the per-slice pipeline gives it. */
export interface SliceAnswer {
  id: string;
  result: 'Tumor' | 'No Tumor' | 'Not a brain MRI' | 'Outside validated use';
  tumorProbability: number | null;
  label: string | null;
  /** The four class probabilities when diagnosed: the series label is taken from them. */
  probabilities?: Partial<Record<Label, number>> | null;
  /** Outside validated use: the reasons (scope.ts words: "sagittal", "diffusion", "edge of the head" …). */
  outside?: string[];
}

export interface SeriesVerdict {
  result: 'Tumor' | 'No Tumor' | 'Uncertain' | 'Outside validated use';
  /** The series score (the rule's aggregate of slice P(tumour)); null when no slice counted. */
  tumorProbability: number | null;
  /** Tumour type with the highest mean probability over the key slices; 'notumor' for No Tumor; null when outside. */
  label: string | null;
  uncertain: boolean;
  /** Ids of the most suspicious counted slices, most suspicious first, at most 3. */
  keySlices: string[];
  /** Slices that counted: diagnosed (Tumor / No Tumor) and in the validated scope. */
  counted: number;
  /** Why the others did not count: reason → number of slices. */
  outside: Record<string, number>;
}

/** How slice answers become one series verdict; its numbers live in the model card (card.json → series). */
export interface SeriesRule {
  /** The series score is the mean of the top-k slice P(tumour) among counted slices (fewer when fewer counted). */
  topK: number;
  /** Score at or above: Tumor. */
  threshold: number;
  /** Score inside [low, high]: Uncertain (wins over Tumor / No Tumor). */
  uncertainBand: [number, number];
}

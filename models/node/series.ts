// Files → series answers, shared by the CLI and POST /api/series: each file is read for its slice attributes and
// answered by a detector (the inline pipeline or the server's workers), then slices are grouped and ordered
// (models/core/series), the validated scope is applied with each slice's place in its series, and one verdict is
// given per series. Nothing about the patient is read into the answers; no file's bytes are kept once answered.
import { DicomError, isDicom, openDicom, type SliceMeta } from '../core/dicom/index.ts';
import type { Heatmap } from '../core/heatmap.ts';
import { MODEL_INFO } from '../core/model.ts';
import { groupIntoSeries, outsideInSeries, seriesVerdict, type SeriesRule, type SeriesSlice, type SliceAnswer } from '../core/series/index.ts';
import type { Detected } from './detect-inline.ts';

export type Detect = (bytes: Uint8Array) => Promise<Detected>;

export interface AnalysedSlice {
  slice: SeriesSlice;
  /** The file's name (CLI: its path; API: the part's filename). */
  file: string;
  answer: SliceAnswer;
  uncertain: boolean;
  /** The evidence map, when the detector was asked for it (only for diagnosed slices). */
  heatmap?: Heatmap;
}

/** Why a file gave no slice: not DICOM, a DICOM without pixel data (DICOMDIR, SR …), or an error code. */
export type Skip = 'not DICOM' | 'no image' | string;

export interface FileOutcome {
  slices: AnalysedSlice[];
  skipped?: Skip;
  /** For a file that failed (corrupt, unsupported syntax, too small …). */
  error?: { code: string; message: string };
}

const sliceId = (file: string, frame: number | null) => (frame === null ? file : `${file}#${frame}`);

function asAnswer(id: string, a: Detected): SliceAnswer {
  const outside = (a as { outside?: string[] }).outside;
  return { id, result: a.result, tumorProbability: a.tumorProbability, label: a.label, probabilities: a.probabilities, ...(outside ? { outside } : {}) };
}

/** One file → its slices and their answers (a multi-frame file gives one slice a frame). Never throws for bad input. */
export async function analyseSeriesFile(file: string, bytes: Uint8Array, detect: Detect): Promise<FileOutcome> {
  if (!isDicom(bytes)) return { slices: [], skipped: 'not DICOM' };
  let meta: SliceMeta;
  let frames: number;
  try {
    const dicom = openDicom(bytes);
    meta = dicom.meta;
    frames = dicom.image.frames;
  } catch (e) {
    if (e instanceof DicomError && e.code === 'no_image') return { slices: [], skipped: 'no image' };
    const code = (e as { code?: string }).code ?? 'error';
    return { slices: [], skipped: code, error: { code, message: (e as Error).message } };
  }
  const frameNo = (n: number) => (frames > 1 ? n : null);
  if (meta.modality && meta.modality !== 'MR') {
    // Another modality in the folder (a CT, a dose report): shown in its series, never diagnosed.
    return {
      slices: Array.from({ length: frames }, (_, i) => {
        const frame = frameNo(i + 1);
        const id = sliceId(file, frame);
        return { slice: { id, meta, frame }, file, uncertain: false, answer: { id, result: 'Outside validated use', tumorProbability: null, label: null, outside: [`${meta.modality}, not MR`] } };
      }),
    };
  }
  let detected: Detected;
  try {
    detected = await detect(bytes);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!code) throw e;
    return { slices: [], skipped: code, error: { code, message: (e as Error).message } };
  }
  const answers = detected.frames ?? [{ ...detected, frame: 1 }];
  return {
    slices: answers.map((a) => {
      const frame = frameNo(a.frame);
      const id = sliceId(file, frame);
      return { slice: { id, meta, frame }, file, uncertain: a.uncertain, answer: asAnswer(id, a), ...(a.heatmap ? { heatmap: a.heatmap } : {}) };
    }),
  };
}

export interface KeySlice {
  file: string;
  instance: number | null;
  frame: number | null;
  tumorProbability: number | null;
  /** When asked for (CLI --heatmap, POST /api/series?heatmap=1): where the evidence was found, scaled by P(tumour). */
  heatmap?: Heatmap;
}

/** The answer for one series: the CLI's line, an element of POST /api/series's `series`. No patient data. */
export interface SeriesAnswer {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  description: string;
  modality: string;
  orientation: string | null;
  slices: number;
  result: 'Tumor' | 'No Tumor' | 'Uncertain' | 'Outside validated use';
  tumorProbability: number | null;
  uncertain: boolean;
  label: string | null;
  counted: number;
  outside: Record<string, number>;
  keySlices: KeySlice[];
  model: { name: string; version: string };
}

/** A slice's line under --slices: in series order, with its place along the series. */
export interface SliceLine {
  seriesInstanceUID: string;
  index: number;
  file: string;
  frame: number | null;
  instance: number | null;
  result: SliceAnswer['result'];
  tumorProbability: number | null;
  label: string | null;
  uncertain: boolean;
  outside?: string[];
}

/** Slices in scope of a series with the series-level rules applied (a slice already outside keeps its reasons too). */
function scoped(a: AnalysedSlice, reasons: string[] | undefined): SliceAnswer {
  if (!reasons?.length || a.answer.result === 'Not a brain MRI') return a.answer;
  const outside = [...new Set([...(a.answer.outside ?? []), ...reasons])];
  return { id: a.answer.id, result: 'Outside validated use', tumorProbability: null, label: null, probabilities: null, outside };
}

export function seriesAnswers(analysed: readonly AnalysedSlice[], rule?: SeriesRule): Array<{ series: SeriesAnswer; slices: SliceLine[] }> {
  const byId = new Map(analysed.map((a) => [a.slice.id, a]));
  return groupIntoSeries(analysed.map((a) => a.slice)).map((group) => {
    const reasons = outsideInSeries(group);
    const ordered = group.slices.map((s) => byId.get(s.id)!);
    const answers = ordered.map((a) => scoped(a, reasons.get(a.slice.id)));
    const verdict = seriesVerdict(answers, rule);
    const keyOf = (id: string): KeySlice => {
      const a = byId.get(id)!;
      return { file: a.file, instance: a.slice.meta.instanceNumber, frame: a.slice.frame, tumorProbability: a.answer.tumorProbability, ...(a.heatmap ? { heatmap: a.heatmap } : {}) };
    };
    return {
      series: {
        studyInstanceUID: group.studyInstanceUid,
        seriesInstanceUID: group.seriesInstanceUid,
        description: group.description,
        modality: group.modality,
        orientation: group.orientation,
        slices: group.slices.length,
        result: verdict.result,
        tumorProbability: verdict.tumorProbability,
        uncertain: verdict.uncertain,
        label: verdict.label,
        counted: verdict.counted,
        outside: verdict.outside,
        keySlices: verdict.keySlices.map(keyOf),
        model: MODEL_INFO,
      },
      slices: ordered.map((a, index) => ({
        seriesInstanceUID: group.seriesInstanceUid,
        index,
        file: a.file,
        frame: a.slice.frame,
        instance: a.slice.meta.instanceNumber,
        result: answers[index]!.result,
        tumorProbability: answers[index]!.tumorProbability,
        label: answers[index]!.label,
        uncertain: answers[index]!.result === 'Outside validated use' ? false : a.uncertain,
        ...(answers[index]!.outside ? { outside: answers[index]!.outside } : {}),
      })),
    };
  });
}

/** Skipped files counted by reason, for the stderr line and the API's `skipped`. */
export function countSkips(outcomes: readonly FileOutcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) if (o.skipped) out[o.skipped] = (out[o.skipped] ?? 0) + 1;
  return out;
}

/** Runs fn over items with at most `limit` in flight, results in input order. */
export async function mapBounded<T, R>(items: AsyncIterable<T> | Iterable<T>, limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: Array<Promise<R>> = [];
  const running = new Set<Promise<unknown>>();
  for await (const item of items) {
    const p = fn(item);
    results.push(p);
    const done: Promise<void> = p.then(() => { running.delete(done); }, () => { running.delete(done); });
    running.add(done);
    if (running.size >= limit) await Promise.race(running);
  }
  return Promise.all(results);
}

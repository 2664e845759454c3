// Files → series answers, shared by the CLI and POST /api/series: each file is read for its slice attributes and
// answered by a detector (the inline pipeline or the server's workers); seriesAnswers (models/core/series/answers.ts,
// pure, the PWA uses it too) then groups and orders the slices, applies the validated scope with each slice's place in
// its series and gives one verdict per series. Nothing about the patient is read into the answers; no file's bytes
// are kept once answered.
import { DicomError, isDicom, openDicom, type SliceMeta } from '../core/dicom/index.ts';
import type { AnalysedSlice, SliceAnswer } from '../core/series/index.ts';
import type { Detected } from './detect-inline.ts';

export { seriesAnswers, type AnalysedSlice, type KeySlice, type SeriesAnswer, type SliceLine } from '../core/series/index.ts';

export type Detect = (bytes: Uint8Array) => Promise<Detected>;

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

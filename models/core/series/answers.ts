// Slice answers → the series answers every client gives (the CLI's lines, POST /api/series's `series`, the PWA's
// series card): grouped and ordered, the validated scope applied with each slice's place in its series, one verdict
// each. Pure (browser and Node); no patient data goes into an answer.
import type { Heatmap } from '../heatmap.ts';
import { MODEL_INFO } from '../model.ts';
import { groupIntoSeries } from './group.ts';
import { outsideInSeries } from './in-scope.ts';
import type { SeriesRule, SeriesSlice, SliceAnswer } from './types.ts';
import { seriesVerdict } from './verdict.ts';

export interface AnalysedSlice {
  slice: SeriesSlice;
  /** The file's name (CLI: its path; API: the part's filename). */
  file: string;
  answer: SliceAnswer;
  uncertain: boolean;
  /** The evidence map, when the detector was asked for it (only for diagnosed slices). */
  heatmap?: Heatmap;
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

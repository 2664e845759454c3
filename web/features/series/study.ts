// Headers → the study list (Study → Series, slices in order, by the shared groupIntoSeries), and a series' slice
// answers → the verdict (the shared seriesVerdict) and the SeriesResult the report and history take.
import { evidenceMap } from '../../../models/core/heatmap.ts';
import { DECISION, MODEL_INFO, MODEL_SHA256, SERIES_RULE } from '../../../models/core/model.ts';
import { groupIntoSeries, outsideInSeries, positionAlong, seriesVerdict, sliceNormal, type SeriesGroup, type SeriesSlice, type SeriesVerdict, type SliceAnswer } from '../../../models/core/series/index.ts';
import type { SrEvidence, SrFindings } from '../../../models/core/dicom/result-sr.ts';
import type { DicomHeader, HeaderAnswer } from '../../lib/dicom-info.ts';
import type { AnalysisResult, SeriesKeySlice, SeriesResult } from '../../lib/types.ts';

/** One slice of the list: which file and frame it is; the file is never named on screen. */
export interface SliceSource {
  id: string;
  file: Blob;
  /** Index of the file in what was dropped (keys the parsed file in the worker). */
  fileIndex: number;
  frame: number | null;
  header: DicomHeader;
}

export interface SeriesEntry {
  key: string;
  group: SeriesGroup;
  sources: SliceSource[];
  /** Position along the slice normal (mm) per slice, in order; null when unknown. */
  positions: Array<number | null>;
}

export interface StudyEntry {
  studyInstanceUid: string;
  description: string;
  /** DICOM DA, as written. */
  date: string;
  /** On this device only. */
  patient: { name: string; id: string };
  series: SeriesEntry[];
}

export interface Skipped {
  notDicom: number;
  noImage: number;
  unreadable: number;
}

export const skippedTotal = (s: Skipped) => s.notDicom + s.noImage + s.unreadable;

/** Headers (in the files' order) → studies, each with its series in order, slices ordered along the normal. */
export function buildStudies(files: readonly Blob[], answers: readonly HeaderAnswer[]): { studies: StudyEntry[]; skipped: Skipped } {
  const skipped: Skipped = { notDicom: 0, noImage: 0, unreadable: 0 };
  const sources = new Map<string, SliceSource>();
  const slices: SeriesSlice[] = [];
  for (const a of answers) {
    if (!a.ok) {
      if (a.skip === 'not-dicom') skipped.notDicom++;
      else if (a.skip === 'no-image') skipped.noImage++;
      else skipped.unreadable++;
      continue;
    }
    const { header } = a;
    const frames = header.frames > 1 ? Array.from({ length: header.frames }, (_, i) => i + 1) : [null];
    for (const frame of frames) {
      const id = frame === null ? `${a.index}` : `${a.index}:${frame}`;
      sources.set(id, { id, file: files[a.index]!, fileIndex: a.index, frame, header });
      slices.push({ id, meta: header.meta, frame });
    }
  }
  const studies = new Map<string, StudyEntry>();
  for (const group of groupIntoSeries(slices)) {
    const ordered = group.slices.map((s) => sources.get(s.id)!);
    const first = ordered[0]!.header;
    let study = studies.get(group.studyInstanceUid);
    if (!study) {
      study = {
        studyInstanceUid: group.studyInstanceUid,
        description: first.patient.studyDescription,
        date: first.patient.studyDate,
        patient: { name: first.patient.name, id: first.patient.id },
        series: [],
      };
      studies.set(group.studyInstanceUid, study);
    }
    const normal = sliceNormal(group.slices.find((s) => sliceNormal(s.meta.imageOrientation))?.meta.imageOrientation ?? null);
    study.series.push({
      key: `${group.studyInstanceUid}\n${group.seriesInstanceUid}`,
      group,
      sources: ordered,
      positions: group.slices.map((s) => positionAlong(normal, s.meta.imagePosition)),
    });
  }
  return { studies: [...studies.values()], skipped };
}

/** One analysed slice: its answer, or the error that stopped it. */
export type SliceOutcome = { result: AnalysisResult; error?: undefined } | { result?: undefined; error: { code: string; message: string } };

/** The shared verdict's input: a slice that failed is one that does not count, with its reason. */
export function sliceAnswer(id: string, o: SliceOutcome): SliceAnswer {
  if (o.error) return { id, result: 'Outside validated use', tumorProbability: null, label: null, outside: [`could not be read (${o.error.code})`] };
  const r = o.result;
  const outside = 'outside' in r && Array.isArray(r.outside) ? (r.outside as string[]) : undefined;
  return {
    id,
    result: r.result as SliceAnswer['result'],
    tumorProbability: r.tumorProbability,
    label: r.label,
    probabilities: r.probabilities,
    ...(outside ? { outside } : {}),
  };
}

/**
 * The series verdict over the slices analysed so far (in series order). The worker already applied the validated
 * scope with each slice's place in the series; the series-level rules (models/core/series outsideInSeries, as the
 * CLI and POST /api/series apply them) are applied again here, so all three agree whatever a slice's answer missed.
 */
export function verdictOf(series: SeriesEntry, outcomes: ReadonlyMap<number, SliceOutcome>): SeriesVerdict {
  return seriesVerdict([...seriesAnswersOf(series, outcomes).values()]);
}

/** Each analysed slice's answer as the verdict counts it (index → answer, in series order). */
export function seriesAnswersOf(series: SeriesEntry, outcomes: ReadonlyMap<number, SliceOutcome>): Map<number, SliceAnswer> {
  const reasons = outsideInSeries(series.group);
  const answers = new Map<number, SliceAnswer>();
  series.sources.forEach((s, i) => {
    const o = outcomes.get(i);
    if (!o) return;
    const a = sliceAnswer(s.id, o);
    const why = reasons.get(s.id);
    answers.set(i, why?.length && a.result !== 'Not a brain MRI'
      ? { id: a.id, result: 'Outside validated use', tumorProbability: null, label: null, probabilities: null, outside: [...new Set([...(a.outside ?? []), ...why])] }
      : a);
  });
  return answers;
}

/** Whether a slice's answer counts for the verdict (diagnosed, in the validated use). */
export const countsAnswer = (a: SliceAnswer | undefined): boolean => !!a && (a.result === 'Tumor' || a.result === 'No Tumor') && a.tumorProbability !== null;


const RULE_TEXT = `mean P(tumour) of the top ${SERIES_RULE.topK} counted slices; Tumor at ≥ ${SERIES_RULE.threshold}, uncertain in [${SERIES_RULE.uncertainBand[0]}, ${SERIES_RULE.uncertainBand[1]}]`;

async function sha256(text: string): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the report prints and history keeps a trace of (the report engineer's SeriesResult, web/lib/types.ts). */
export async function seriesResultOf(study: StudyEntry, series: SeriesEntry, outcomes: ReadonlyMap<number, SliceOutcome>, now = new Date()): Promise<SeriesResult> {
  const answers = seriesAnswersOf(series, outcomes);
  const verdict = seriesVerdict([...answers.values()]);
  const indexOf = new Map(series.sources.map((s, i) => [s.id, i]));
  const keyIndices = verdict.keySlices.map((id) => indexOf.get(id)!);
  const keySlices: SeriesKeySlice[] = keyIndices.flatMap((index) => {
    const r = outcomes.get(index)?.result;
    if (!r?.pixels || r.tumorProbability === null) return [];
    const size = Math.round(Math.sqrt(r.pixels.length));
    const meta = series.sources[index]!.header.meta;
    return [{
      index,
      ...(meta.instanceNumber !== null ? { instance: meta.instanceNumber } : {}),
      ...(series.sources[index]!.frame !== null ? { frame: series.sources[index]!.frame! } : {}),
      ...(series.positions[index] != null ? { position: series.positions[index]! } : {}),
      tumorProbability: r.tumorProbability,
      image: { width: size, height: size, data: r.pixels },
      ...(r.cam && r.camSize ? { heatmap: { width: r.camSize, height: r.camSize, values: evidenceMap(r.cam, r.tumorProbability) } } : {}),
    }];
  });
  const first = [...outcomes.values()].find((o) => o.result)?.result;
  const outside = Object.keys(verdict.outside);
  const number = series.sources[0]!.header.meta.seriesNumber;
  return {
    study: { description: study.description, date: study.date },
    series: { description: series.group.description, modality: series.group.modality, ...(number !== null ? { number } : {}), slices: series.sources.length },
    seriesInstanceUidSha256: await sha256(series.group.seriesInstanceUid),
    patient: study.patient,
    verdict: {
      // An uncertain series is written as single images are: the side of the threshold its score is on, flagged uncertain.
      result: verdict.result === 'Uncertain' ? (verdict.tumorProbability! >= SERIES_RULE.threshold ? 'Tumor' : 'No Tumor') : verdict.result,
      tumorProbability: verdict.tumorProbability,
      label: verdict.label as SeriesResult['verdict']['label'],
      uncertain: verdict.uncertain,
      keySlices: keyIndices,
      ...(verdict.result === 'Outside validated use' && outside.length ? { outside } : {}),
    },
    keySlices,
    slices: series.sources.map((_, index) => ({
      index,
      ...(series.positions[index] != null ? { position: series.positions[index]! } : {}),
      tumorProbability: answers.get(index)?.tumorProbability ?? null,
      counted: countsAnswer(answers.get(index)),
    })),
    model: { name: first?.model.name ?? MODEL_INFO.name, version: first?.model.version ?? MODEL_INFO.version, sha256: MODEL_SHA256 },
    thresholds: { decision: DECISION, series: { rule: RULE_TEXT, threshold: SERIES_RULE.threshold, uncertainBand: SERIES_RULE.uncertainBand } },
    backend: first?.backend ?? 'WASM',
    ...(first?.threads ? { threads: first.threads } : {}),
    analysedAt: now.toISOString(),
  };
}

/** What a series result sent back to the PACS is made of (models/core/dicom/result-sr.ts), as the series feature hands it on. */
export interface ResultSrSource {
  evidence: SrEvidence;
  findings: SrFindings;
}

/**
 * The analysed series' references (its study and patient as its first slice's header holds them, each instance once)
 * and the verdict, for a result SR; null when the headers carry no study to file it in.
 */
export function resultSrSourceOf(series: SeriesEntry, verdict: SeriesVerdict, result: SeriesResult, complete: boolean): ResultSrSource | null {
  const patientStudy = series.sources[0]?.header.study;
  if (!patientStudy?.studyInstanceUid || !series.group.seriesInstanceUid) return null;
  const ref = (s: SliceSource) => ({ sopClassUid: s.header.meta.sopClassUid, sopInstanceUid: s.header.meta.sopInstanceUid, instanceNumber: s.header.meta.instanceNumber });
  const seen = new Set<string>();
  const instances = series.sources.filter((s) => !seen.has(s.header.meta.sopInstanceUid) && seen.add(s.header.meta.sopInstanceUid)).map(ref);
  const indexOf = new Map(series.sources.map((s, i) => [s.id, i]));
  const keySlices = verdict.keySlices.flatMap((id) => {
    const index = indexOf.get(id);
    const source = index === undefined ? undefined : series.sources[index];
    if (index === undefined || !source) return [];
    return [{ ...ref(source), frame: source.frame, tumorProbability: result.slices[index]?.tumorProbability ?? null }];
  });
  return {
    evidence: { patientStudy, seriesInstanceUid: series.group.seriesInstanceUid, seriesDescription: series.group.description, instances },
    findings: {
      verdict: verdict.result,
      tumorProbability: verdict.tumorProbability,
      label: verdict.label,
      uncertain: verdict.uncertain,
      counted: verdict.counted,
      slices: series.sources.length,
      notCounted: Object.entries(verdict.outside).map(([why, n]) => `${why} (${n})`),
      keySlices,
      complete,
      model: { name: result.model.name, version: result.model.version, sha256: result.model.sha256 },
    },
  };
}

// Series reading: a folder (dropped or picked), many files, or a patient CD → the study list from the headers alone
// (parsed in the worker, nothing decoded) → one series analysed on the device, slice by slice in the worker, with
// progress and cancel → the series verdict with its key slices and P(tumour) along the series → the viewer.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { seriesVerdict, type SliceAnswer } from '../../../models/core/series/index.ts';
import type { ServerSeriesAnswer } from '../../lib/api.ts';
import type { HeaderAnswer } from '../../lib/dicom-info.ts';
import type { SeriesResult } from '../../lib/types.ts';
import { collectDrop, collectInput, dropEntries, type CollectedFile } from './collect.ts';
import { ProbabilityChart } from './ProbabilityChart.tsx';
import { SeriesVerdictView } from './SeriesVerdictView.tsx';
import { StudyList } from './StudyList.tsx';
import { buildStudies, countsAnswer, resultSrSourceOf, seriesAnswersOf, seriesResultOf, type ResultSrSource, type SeriesEntry, type Skipped, type SliceOutcome, type StudyEntry } from './study.ts';
import { useSeriesAnalysis, type SeriesEngine } from './useSeriesAnalysis.ts';
import { Viewer, type ViewerSlice } from './Viewer.tsx';
import './series.css';

export interface SeriesPanelProps {
  /** Analyses on the device; null while the model loads or when the device cannot run it. */
  engine: SeriesEngine | null;
  /** Reads headers in the worker (works without the model). */
  readHeaders: (files: Blob[]) => Promise<HeaderAnswer[]>;
  deviceUnavailable: string | null;
  /** A series analysed to the end (or as far as it went before Cancel): for the report and the history. */
  onSeriesResult?: (r: SeriesResult) => void;
  /**
   * Extra actions under the verdict (the report's button; "Send result to PACS" for a series from the PACS), with
   * what a result SR is made of (null when the headers name no study).
   */
  actions?: (r: SeriesResult, sr: ResultSrSource | null) => ReactNode;
  /** How often the screen follows the answers, ms (tests: 0, every answer). */
  flushMs?: number;
  /** Whether the server can be used now (online, signed in), and why not: the same rule as for one image. */
  server?: { available: boolean; reason: string | null };
  /** The user's setting: send to the server automatically when this device cannot analyse (off by default). */
  autoServer?: boolean;
  /**
   * De-identifies the series' files (in the worker) and sends the copies to POST /api/series. Called only on the
   * user's "Analyse on server", or under autoServer when the device cannot analyse.
   */
  analyseOnServer?: (files: Blob[]) => Promise<ServerSeriesAnswer>;
  /** Files handed over from elsewhere (a series pulled from the PACS): read as if chosen here, once per new object. */
  incoming?: { files: File[] } | null;
}

type ServerRun = { key: string; status: 'sending' } | { key: string; status: 'done'; answer: ServerSeriesAnswer['series'][number] } | { key: string; status: 'error'; error: string };

function serverVerdictText(a: ServerSeriesAnswer['series'][number]): string {
  const p = a.tumorProbability === null ? '' : `P(tumour) ${pct(a.tumorProbability)} · `;
  return `${p}${a.result === 'Tumor' && a.label ? `${a.label} · ` : ''}${a.uncertain && a.result !== 'Uncertain' ? 'uncertain · ' : ''}${a.counted} of ${a.slices} slices counted`;
}

/** Files a header request at a time: the list fills in steps, the worker answers between them. */
const HEADER_CHUNK = 32;
const pct = (p: number) => `${(p * 100).toFixed(1)} %`;

export function sliceAnswerText(o: SliceOutcome | undefined): string {
  if (!o) return 'Not analysed yet.';
  if (o.error) return `Not read: ${o.error.message}`;
  const r = o.result;
  if (r.result === 'Tumor' || r.result === 'No Tumor') {
    return `${r.result} · P(tumour) ${pct(r.tumorProbability!)}${r.result === 'Tumor' && r.label ? ` · ${r.label}` : ''}${r.uncertain ? ' · uncertain' : ''}`;
  }
  if (r.result === 'Outside validated use') {
    const why = 'outside' in r && Array.isArray(r.outside) ? (r.outside as string[]).join(', ') : '';
    return `Outside validated use${why ? `: ${why}` : ''} (not counted)`;
  }
  return `Not a brain MRI${r.dicom?.refusal ? `: ${r.dicom.refusal}` : ''} (not counted)`;
}

export function SeriesPanel({ engine, readHeaders, deviceUnavailable, onSeriesResult, actions, flushMs, server, autoServer = false, analyseOnServer, incoming }: SeriesPanelProps) {
  const [reading, setReading] = useState<{ done: number; total: number } | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [list, setList] = useState<{ studies: StudyEntry[]; skipped: Skipped } | null>(null);
  const [active, setActive] = useState<{ series: SeriesEntry; study: StudyEntry } | null>(null);
  const [current, setCurrent] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [result, setResult] = useState<SeriesResult | null>(null);
  const [serverRun, setServerRun] = useState<ServerRun | null>(null);
  const serverUsable = !!analyseOnServer && !!server?.available;
  const { state, start, cancel, reset } = useSeriesAnalysis(engine, { flushMs });
  const readId = useRef(0);
  /** The outcomes a SeriesResult was made for (once per run). */
  const reported = useRef<ReadonlyMap<number, SliceOutcome> | null>(null);

  const read = useCallback(async (files: CollectedFile[]) => {
    const id = ++readId.current;
    reset();
    setActive(null);
    setResult(null);
    setServerRun(null);
    setList(null);
    setReadError(null);
    setReading({ done: 0, total: files.length });
    const blobs = files.map((f) => f.file);
    const answers: HeaderAnswer[] = [];
    try {
      for (let i = 0; i < blobs.length; i += HEADER_CHUNK) {
        const chunk = await readHeaders(blobs.slice(i, i + HEADER_CHUNK));
        if (id !== readId.current) return;
        answers.push(...chunk.map((a) => ({ ...a, index: a.index + i })));
        setReading({ done: Math.min(blobs.length, i + HEADER_CHUNK), total: blobs.length });
      }
      setList(buildStudies(blobs, answers));
    } catch (err) {
      if (id === readId.current) setReadError(err instanceof Error ? err.message : String(err));
    } finally {
      if (id === readId.current) setReading(null);
    }
  }, [readHeaders, reset]);

  // A series from the PACS (web/app passes it): read exactly as local files, once per handed-over object (a new
  // read callback, e.g. when the model arrives, does not read it again).
  const readRef = useRef(read);
  readRef.current = read;
  useEffect(() => {
    if (incoming?.files.length) void readRef.current(incoming.files.map((file) => ({ file, path: file.name })));
  }, [incoming]);

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setDragging(false);
    void collectDrop(dropEntries(e.dataTransfer)).then(read);
  };

  /** The series' files (a multi-frame file once), de-identified in the worker and sent; the answer shown as "Server". */
  const sendToServer = (series: SeriesEntry) => {
    if (!analyseOnServer) return;
    const files = [...new Set(series.sources.map((s) => s.file))];
    setServerRun({ key: series.key, status: 'sending' });
    analyseOnServer(files).then(
      (r) => {
        const answer = r.series[0];
        setServerRun((cur) => (cur?.key !== series.key ? cur : answer ? { key: series.key, status: 'done', answer } : { key: series.key, status: 'error', error: 'The server found no series in the files.' }));
      },
      (err: unknown) => setServerRun((cur) => (cur?.key !== series.key ? cur : { key: series.key, status: 'error', error: err instanceof Error ? err.message : String(err) })),
    );
  };

  const analyse = (series: SeriesEntry, study: StudyEntry) => {
    setActive({ series, study });
    setResult(null);
    setServerRun(null);
    reported.current = null;
    setCurrent(0);
    if (engine) start(series);
    // The device cannot analyse: only the user's automatic-fallback setting sends without a click.
    else if (autoServer && serverUsable) sendToServer(series);
  };

  /** A key slice's Show: that slice in the viewer, the viewer in view and focused (its keys work at once). */
  const show = (index: number) => {
    setCurrent(index);
    const viewer = document.querySelector<HTMLElement>('.series-viewer');
    viewer?.scrollIntoView?.({ block: 'nearest' });
    viewer?.focus({ preventScroll: true });
  };

  const running = state.status === 'running';
  const finished = state.status === 'done' || state.status === 'cancelled';
  const series = active?.series ?? null;
  const answers = useMemo(() => (series ? seriesAnswersOf(series, state.outcomes) : new Map<number, SliceAnswer>()), [series, state.outcomes]);
  const verdict = useMemo(() => (series && answers.size ? seriesVerdict([...answers.values()]) : null), [series, answers]);

  // Once finished: the SeriesResult for the report and the history, and the viewer opens on the most suspicious slice.
  const onResultRef = useRef(onSeriesResult);
  onResultRef.current = onSeriesResult;
  useEffect(() => {
    if (!finished || !active || reported.current === state.outcomes || !state.outcomes.size) return;
    reported.current = state.outcomes;
    const first = verdict?.keySlices[0];
    const at = first !== undefined ? active.series.sources.findIndex((s) => s.id === first) : 0;
    setCurrent(Math.max(0, at));
    const outcomes = state.outcomes;
    void seriesResultOf(active.study, active.series, outcomes).then((r) => {
      if (reported.current !== outcomes) return; // another series started meanwhile
      setResult(r);
      onResultRef.current?.(r);
    });
  }, [finished, active, state.outcomes, verdict]);

  const viewerSlices: ViewerSlice[] = useMemo(
    () =>
      series
        ? series.sources.map((_, i) => {
            const o = state.outcomes.get(i);
            const r = o?.result;
            // The series-level scope may have put a slice the worker diagnosed outside (as the CLI would): say so, no map.
            const a = answers.get(i);
            const outsideHere = a?.result === 'Outside validated use' && (r?.result === 'Tumor' || r?.result === 'No Tumor');
            return {
              view: r?.view,
              answer: outsideHere ? `Outside validated use: ${(a.outside ?? []).join(', ')} (not counted)` : sliceAnswerText(o),
              tumorProbability: outsideHere ? null : (r?.tumorProbability ?? null),
              cam: outsideHere ? undefined : r?.cam,
              camSize: r?.camSize,
              crop: r?.crop,
              position: series.positions[i] ?? null,
            };
          })
        : [],
    [series, state.outcomes, answers],
  );

  // The result SR's makings, for the verdict the result was made from (once the result is there).
  const srSource = useMemo(
    () => (result && series && verdict ? resultSrSourceOf(series, verdict, result, state.status === 'done') : null),
    [result, series, verdict, state.status],
  );

  const points = series ? series.sources.map((_, i) => ({ index: i, position: series.positions[i] ?? null, tumorProbability: answers.get(i)?.tumorProbability ?? null, counted: countsAnswer(answers.get(i)) })) : [];
  const keyIndices = series && verdict ? verdict.keySlices.map((id) => series.sources.findIndex((s) => s.id === id)) : [];

  return (
    <section className="panel series-panel" aria-labelledby="series-title">
      <h2 id="series-title">Series</h2>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="series-drop"
      >
        <p>Drop a folder, a patient CD’s folder or many DICOM files here, or choose:</p>
        <label className="button">
          Choose a folder
          <input
            type="file"
            className="visually-hidden"
            multiple
            ref={(el) => el?.setAttribute('webkitdirectory', '')}
            aria-label="Folder of DICOM files"
            onChange={(e) => void read(collectInput(e.target.files))}
          />
        </label>
        <label className="button">
          Choose files
          <input type="file" className="visually-hidden" multiple aria-label="DICOM files of a series" onChange={(e) => void read(collectInput(e.target.files))} />
        </label>
      </div>
      {reading && (
        <p role="status" className="series-reading">
          Reading headers: {reading.done} of {reading.total} files
          <progress value={reading.done} max={reading.total} aria-label="Reading headers" />
        </p>
      )}
      {readError && <p role="alert" className="error">{readError}</p>}
      {list && (
        <StudyList
          studies={list.studies}
          skipped={list.skipped}
          activeKey={series?.key ?? null}
          busy={running}
          canAnalyse={!!engine || serverUsable}
          onAnalyse={analyse}
        />
      )}
      {list && !engine && <p className="muted">{deviceUnavailable ? `This device cannot analyse: ${deviceUnavailable}` : 'The model is getting ready…'}</p>}
      {series && analyseOnServer && (
        <div className="series-server" role="group" aria-label="Server analysis">
          {serverUsable ? (
            <button type="button" onClick={() => sendToServer(series)} disabled={serverRun?.key === series.key && serverRun.status === 'sending'}>
              Analyse on server
            </button>
          ) : (
            server?.reason && <p className="muted">{server.reason}</p>
          )}
          {serverUsable && <p className="muted">Sends de-identified copies of this series’ files: no name, ID, date, institution or original UID.</p>}
          {serverRun?.key === series.key && serverRun.status === 'sending' && <p role="status">Sending the series to the server…</p>}
          {serverRun?.key === series.key && serverRun.status === 'error' && <p role="alert" className="error">Server: {serverRun.error}</p>}
          {serverRun?.key === series.key && serverRun.status === 'done' && (
            <article className="series-verdict server" aria-label="Server verdict">
              <p>
                <span className="badge">Server</span>{' '}
                <span data-testid="server-series-result">{serverRun.answer.result}</span>{' '}
                <span data-testid="server-series-probability" data-value={serverRun.answer.tumorProbability ?? ''}>{serverVerdictText(serverRun.answer)}</span>
              </p>
            </article>
          )}
        </div>
      )}
      {series && state.seriesKey === series.key && (
        <div className="series-run">
          <div className="series-progress" role="group" aria-label="Series analysis">
            <progress value={state.done} max={state.total || 1} aria-label="Slices analysed" />
            <span role="status" data-testid="series-progress">
              {state.status === 'cancelled' ? 'Cancelled: ' : ''}
              {state.done} of {state.total} slices
              {state.rate ? ` · ${state.rate.toFixed(1)} slices/s` : ''}
              {running && state.secondsLeft !== null ? ` · about ${Math.ceil(state.secondsLeft)} s left` : ''}
              {state.status === 'done' ? ` · ${(state.elapsedMs / 1000).toFixed(1)} s` : ''}
            </span>
            {running && <button type="button" onClick={cancel}>Cancel</button>}
          </div>
          {state.status === 'error' && <p role="alert" className="error">{state.error}</p>}
          {verdict && (
            <SeriesVerdictView verdict={verdict} series={series} outcomes={state.outcomes} complete={state.status === 'done'} onShow={show} />
          )}
          {result && actions ? <div className="series-actions">{actions(result, srSource)}</div> : null}
          {state.outcomes.size > 0 && <ProbabilityChart points={points} keySlices={keyIndices} current={finished ? current : null} onSelect={finished ? setCurrent : undefined} />}
          {finished && <Viewer slices={viewerSlices} index={current} onIndex={setCurrent} />}
        </div>
      )}
    </section>
  );
}

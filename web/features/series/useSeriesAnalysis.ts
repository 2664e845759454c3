// Analysing one series in the worker: slices go in order, answers come back one by one (their buffers transferred),
// progress is counted as they come (slices per second, time left); cancel stops after the slice the worker is on.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SeriesRun, SeriesSliceAnswer, SeriesSliceRequest } from '../../lib/inference.ts';
import type { SeriesEntry, SliceOutcome } from './study.ts';

/** What series reading needs of the inference worker (web/lib/inference.ts InferenceClient). */
export interface SeriesEngine {
  analyseSeries(slices: SeriesSliceRequest[], onSlice: (r: SeriesSliceAnswer) => void, view?: boolean): SeriesRun;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface SeriesRunState {
  status: RunStatus;
  seriesKey: string | null;
  total: number;
  done: number;
  /** Slices per second so far; null before the first answer. */
  rate: number | null;
  /** Seconds left at that rate. */
  secondsLeft: number | null;
  outcomes: ReadonlyMap<number, SliceOutcome>;
  error: string | null;
  /** Milliseconds from start to the last answer. */
  elapsedMs: number;
}

const IDLE: SeriesRunState = { status: 'idle', seriesKey: null, total: 0, done: 0, rate: null, secondsLeft: null, outcomes: new Map(), error: null, elapsedMs: 0 };

/**
 * `flushMs`: the screen follows the answers at most this often (the main thread renders the list, the chart and the
 * verdict ~10 times a second instead of once a slice, leaving the cores to the worker); 0 = every answer.
 */
export function useSeriesAnalysis(engine: SeriesEngine | null, { flushMs = 100, now = () => performance.now() }: { flushMs?: number; now?: () => number } = {}) {
  const [state, setState] = useState<SeriesRunState>(IDLE);
  const run = useRef<SeriesRun | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    run.current?.cancel();
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const start = useCallback((series: SeriesEntry) => {
    if (!engine) return;
    run.current?.cancel();
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const outcomes = new Map<number, SliceOutcome>();
    const total = series.sources.length;
    const t0 = now();
    setState({ ...IDLE, status: 'running', seriesKey: series.key, total, outcomes });
    const requests: SeriesSliceRequest[] = series.sources.map((s, index) => ({ index, blob: s.file, frame: s.frame ?? 1, key: `f${s.fileIndex}` }));
    let current: SeriesRun | null = null;
    let lastFlush = -Infinity;
    let elapsedMs = 0;
    const flush = () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      lastFlush = now();
      const done = outcomes.size;
      const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : null;
      setState((s) => ({ ...s, done, rate, secondsLeft: rate ? (total - done) / rate : null, outcomes: new Map(outcomes), elapsedMs }));
    };
    const onSlice = (m: SeriesSliceAnswer) => {
      if (run.current !== current) return;
      outcomes.set(m.index, m.result ? { result: m.result } : { error: m.error ?? { code: 'analysis_failed', message: 'No answer.' } });
      elapsedMs = now() - t0;
      const wait = lastFlush + flushMs - now();
      if (wait <= 0) flush();
      else timer.current ??= setTimeout(flush, wait);
    };
    current = engine.analyseSeries(requests, onSlice, true);
    run.current = current;
    const mine = current;
    mine.done.then(
      ({ cancelled }) => {
        if (run.current !== mine) return;
        run.current = null;
        flush();
        setState((s) => ({ ...s, status: cancelled ? 'cancelled' : 'done', secondsLeft: cancelled ? null : 0 }));
      },
      (err: unknown) => {
        if (run.current !== mine) return;
        run.current = null;
        setState((s) => ({ ...s, status: 'error', error: err instanceof Error ? err.message : String(err) }));
      },
    );
  }, [engine, flushMs, now]);

  const cancel = useCallback(() => run.current?.cancel(), []);
  const reset = useCallback(() => {
    run.current?.cancel();
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    run.current = null;
    setState(IDLE);
  }, []);
  return { state, start, cancel, reset };
}

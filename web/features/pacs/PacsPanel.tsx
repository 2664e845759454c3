// The clinic's PACS (issue 14): search studies over QIDO-RS through the server's gateway, list a study's series,
// open one — fetched in one WADO-RS series retrieve (audited by the gateway) with progress in bytes and, when the
// answer's length is known, slices — and hand the files to the series
// feature (through web/app), which reads and analyses them on the device exactly as a local series. Cancel, shown
// while a series is being fetched, aborts the request: nothing is kept or analysed.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PacsClient, SeriesRow, StudyQuery, StudyRow } from './client.ts';
import { pacsErrorText } from './errors.ts';

export interface PacsPanelProps {
  client: PacsClient;
  online: boolean;
  /** The fetched series as DICOM files (named by position only: no patient data in a name), and which series it is. */
  onFiles: (files: File[], from: { studyUid: string; seriesUid: string }) => void;
}

/** expected: the PACS's slice count; loaded/total: bytes (total null when the answer's length is unknown). */
type Fetching = { expected: number | null; loaded: number; total: number | null; done: number | null };

const errorText = pacsErrorText;

/**
 * A series that stopped arriving part way (the PACS stopped, or the connection dropped: the gateway then breaks the
 * answer off, which the browser reports as a network error after some bytes), or came short: said as such, not as
 * "offline". Null for any other failure.
 */
const cutText = (err: unknown, received: number, expected: number | null): string | null => {
  const short = (err as { short?: number } | null)?.short;
  const status = (err as { status?: number } | null)?.status;
  if (short === undefined && !(received > 0 && (status === 0 || status === undefined))) return null;
  const got = short !== undefined ? `only ${short} of ${expected} slices arrived` : `it stopped after ${received < 1024 * 1024 ? `${Math.max(1, Math.round(received / 1024))} KiB` : mib(received)}`;
  return `The series did not arrive whole (${got}: the PACS or the connection went away). Nothing was kept or analysed; try again when the PACS is back.`;
};

const showDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);
const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

export function PacsPanel({ client, online, onFiles }: PacsPanelProps) {
  const [query, setQuery] = useState<StudyQuery>({ patientName: '', patientId: '', from: '', to: '', accession: '', modality: 'MR' });
  const [studies, setStudies] = useState<StudyRow[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [open, setOpen] = useState<{ study: StudyRow; series: SeriesRow[] | null } | null>(null);
  const [fetching, setFetching] = useState<Fetching | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  /** The fetch in flight, for Cancel (and aborted if the panel goes away). */
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => () => inFlight.current?.abort(), []);
  const set = (k: keyof StudyQuery) => (e: { target: { value: string } }) => setQuery((q) => ({ ...q, [k]: e.target.value }));

  const search = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSearching(true);
    setOpen(null);
    client.searchStudies(query).then(
      (rows) => { setStudies(rows); setSearching(false); },
      (err: unknown) => { setError(errorText(err)); setSearching(false); },
    );
  };

  const showSeries = (study: StudyRow) => {
    setError(null);
    setOpen({ study, series: null });
    client.searchSeries(study.studyUid).then(
      (series) => setOpen((cur) => (cur?.study.studyUid === study.studyUid ? { study, series } : cur)),
      (err: unknown) => setError(errorText(err)),
    );
  };

  const openSeries = async (study: StudyRow, s: SeriesRow) => {
    setError(null);
    setNote(null);
    setFetching({ expected: s.slices, loaded: 0, total: null, done: null });
    const abort = new AbortController();
    inFlight.current = abort;
    let received = 0;
    try {
      const parts = await client.retrieveSeries(study.studyUid, s.seriesUid, (loaded, total) => {
        if (abort.signal.aborted) return;
        received = loaded;
        setFetching({ expected: s.slices, loaded, total, done: null });
      }, abort.signal);
      if (abort.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      // Fewer slices than the PACS counts: the answer was cut short (the files are dropped, nothing is analysed).
      if (s.slices !== null && parts.length < s.slices) throw Object.assign(new Error('short series'), { short: parts.length });
      const bytes = parts.reduce((n, b) => n + b.byteLength, 0);
      setFetching({ expected: parts.length, loaded: bytes, total: bytes, done: parts.length });
      const files = parts.map((b, i) => new File([b], `${String(i + 1).padStart(4, '0')}.dcm`, { type: 'application/dicom' }));
      setFetching(null);
      onFiles(files, { studyUid: study.studyUid, seriesUid: s.seriesUid });
    } catch (err) {
      if (abort.signal.aborted) return; // cancelled: said by cancel()
      setFetching(null);
      setError(cutText(err, received, s.slices) ?? errorText(err));
    } finally {
      if (inFlight.current === abort) inFlight.current = null;
    }
  };

  const cancel = () => {
    inFlight.current?.abort();
    inFlight.current = null;
    setFetching(null);
    setNote('Fetch cancelled: nothing was kept or analysed.');
  };

  const slicesText = (f: Fetching) => {
    if (f.done !== null) return `${f.done} of ${f.done} slices`;
    if (f.expected === null) return 'slices';
    if (f.total) return `about ${Math.min(f.expected, Math.floor((f.expected * f.loaded) / f.total))} of ${f.expected} slices`;
    return `${f.expected} slices`;
  };

  return (
    <section className="panel pacs-panel" aria-labelledby="pacs-title">
      <h2 id="pacs-title">PACS</h2>
      {!online && <p role="status" className="muted">Offline: the PACS cannot be reached. Local files still work.</p>}
      <form onSubmit={search} aria-label="Search the PACS">
        <label>Patient name <input value={query.patientName} onChange={set('patientName')} /></label>
        <label>Patient ID <input value={query.patientId} onChange={set('patientId')} /></label>
        <label>From <input type="date" value={query.from} onChange={set('from')} /></label>
        <label>To <input type="date" value={query.to} onChange={set('to')} /></label>
        <label>Accession number <input value={query.accession} onChange={set('accession')} /></label>
        <label>
          Modality{' '}
          <select value={query.modality} onChange={set('modality')}>
            <option value="MR">MR</option>
            <option value="CT">CT</option>
            <option value="">Any</option>
          </select>
        </label>
        <button type="submit" disabled={!online || searching}>{searching ? 'Searching…' : 'Search'}</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {note && !fetching && <p role="status" className="muted">{note}</p>}
      {studies && (
        studies.length === 0 ? <p className="muted">No study found.</p> : (
          <ul className="pacs-studies" aria-label="PACS studies">
            {studies.map((st) => (
              <li key={st.studyUid}>
                <span className="pacs-study">{st.patientName || '(no name)'} · {showDate(st.date)} · {st.description || '(no description)'}</span>{' '}
                <button type="button" onClick={() => showSeries(st)} disabled={!online} aria-expanded={open?.study.studyUid === st.studyUid}>Series</button>
                {open?.study.studyUid === st.studyUid && (
                  open.series === null ? <p role="status">Loading series…</p> : (
                    <ul aria-label="PACS series">
                      {open.series.map((s) => (
                        <li key={s.seriesUid}>
                          <span>{s.description || `(series ${s.number || '?'})`} · {s.modality} · {s.slices ?? '?'} slices</span>{' '}
                          <button type="button" disabled={!online || fetching !== null} onClick={() => void openSeries(st, s)}>Open series</button>
                        </li>
                      ))}
                    </ul>
                  )
                )}
              </li>
            ))}
          </ul>
        )
      )}
      {fetching && (
        <div className="pacs-fetching">
          <p role="status" data-testid="pacs-progress">
            Fetching: {slicesText(fetching)} · {mib(fetching.loaded)}{fetching.total ? ` of ${mib(fetching.total)}` : ''} received
            {fetching.total ? <progress value={fetching.loaded} max={fetching.total} aria-label="Fetching series" /> : <progress aria-label="Fetching series" />}
          </p>
          <button type="button" className="pacs-cancel" onClick={cancel}>Cancel fetching</button>
        </div>
      )}
    </section>
  );
}

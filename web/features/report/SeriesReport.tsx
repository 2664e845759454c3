// The one-page series report: what was read, the verdict, the slices that drove it, the model and rules that made
// it, where it ran and when — printed with the browser's own print (window.print(), print CSS, A4), so it works offline
// and needs nothing fetched. The patient's name and ID are printed only when the user ticks that, for this report.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { SeriesResult } from '../../lib/types.ts';
import { KeySliceImage } from './KeySliceImage.tsx';
import { SliceChart } from './SliceChart.tsx';
import './report.css';

const LABEL_NAMES: Record<string, string> = { glioma: 'Glioma', meningioma: 'Meningioma', pituitary: 'Pituitary', notumor: 'No tumour' };
const pct = (p: number) => `${(p * 100).toFixed(1)} %`;
/** A DICOM DA (YYYYMMDD) as a calendar date; an ISO date as it is. */
const dateText = (d: string | undefined) => (!d ? '—' : /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d);
/** Date and time in the device's zone, unambiguous (ISO order, with the offset). */
export function dateTimeText(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  const off = -t.getTimezoneOffset();
  const zone = `UTC${off >= 0 ? '+' : '−'}${two(Math.floor(Math.abs(off) / 60))}:${two(Math.abs(off) % 60)}`;
  return `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())} ${two(t.getHours())}:${two(t.getMinutes())} ${zone}`;
}
const backendText = (r: SeriesResult) =>
  r.backend === 'Server' ? 'the BigBrain server' : `this device, ${r.backend}${r.backend === 'WASM' && r.threads ? ` ×${r.threads} threads` : ''}`;

export interface SeriesReportProps {
  result: SeriesResult;
  onClose: () => void;
  /** The research-use disclaimer, as the app shows it (web/app/Disclaimer.tsx). */
  disclaimer: ReactNode;
  /** Prints the page; window.print() unless a test gives another. */
  print?: () => void;
}

export function SeriesReport({ result: r, onClose, disclaimer, print = () => window.print() }: SeriesReportProps) {
  const [showPatient, setShowPatient] = useState(false);
  const titleId = useId();
  const patientId = useId();
  const ref = useRef<HTMLDivElement>(null);
  // Focus moves into the report and, once it closes, back to what opened it (the Report button).
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
    return () => opener?.focus();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const v = r.verdict;
  const tone = v.result === 'Tumor' ? 'tumor' : v.result === 'No Tumor' ? 'clear' : 'other';
  const keys = r.keySlices.slice(0, 4);
  const d = r.thresholds.decision;
  const lines = [{ value: d.threshold, label: `slice threshold ${pct(d.threshold)}` }];
  const s = r.thresholds.series;
  if (s.threshold !== undefined && Math.abs(s.threshold - d.threshold) > 1e-9) lines.push({ value: s.threshold, label: `series threshold ${pct(s.threshold)}` });
  const band = d.uncertainBand;

  return (
    <div className="report-host" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
      <div className="report-controls">
        <label htmlFor={patientId}>
          <input id={patientId} type="checkbox" checked={showPatient} onChange={(e) => setShowPatient(e.target.checked)} disabled={!r.patient} /> Print the
          patient’s name and ID on this report
        </label>
        <button type="button" onClick={print}>Print</button>
        <button type="button" onClick={onClose}>Close report</button>
      </div>
      <article className="report" aria-labelledby={titleId}>
        <header className="report-head">
          <h2 id={titleId}>BigBrain series report</h2>
          <p>Analysed {dateTimeText(r.analysedAt)}</p>
        </header>
        {showPatient && r.patient && (
          <dl className="report-fields report-patient" aria-label="Patient">
            <div><dt>Patient</dt><dd>{r.patient.name || '—'}</dd></div>
            <div><dt>Patient ID</dt><dd>{r.patient.id || '—'}</dd></div>
          </dl>
        )}
        <dl className="report-fields" aria-label="Study and series">
          <div><dt>Study</dt><dd>{r.study.description || '—'}</dd></div>
          <div><dt>Study date</dt><dd>{dateText(r.study.date)}</dd></div>
          <div><dt>Series</dt><dd>{r.series.description || '—'}{r.series.number !== undefined ? ` (#${r.series.number})` : ''}</dd></div>
          <div><dt>Series date</dt><dd>{dateText(r.series.date ?? r.study.date)}</dd></div>
          <div><dt>Modality</dt><dd>{r.series.modality || '—'}</dd></div>
          <div><dt>Slices</dt><dd>{r.series.slices}</dd></div>
        </dl>
        <section className={`report-verdict ${tone}`} aria-label="Series verdict">
          <p>
            <span className="result-word">{v.result}</span>
            {v.uncertain && v.result !== 'Uncertain' && <span className="badge">uncertain</span>}
          </p>
          <p>
            P(tumour) for the series <strong>{v.tumorProbability === null ? '—' : pct(v.tumorProbability)}</strong>
            {v.label && v.label !== 'notumor' ? ` · most likely ${LABEL_NAMES[v.label] ?? v.label}` : ''}
            {v.uncertain ? ' · the model is unsure: have this series read by a specialist' : ''}
          </p>
          {v.outside && v.outside.length > 0 && <p>Outside the model’s validated use: {v.outside.join(', ')}.</p>}
        </section>
        <section className="report-keys-section" aria-label="Key slices">
          <h3>Key slices{keys.length ? ', most suspicious first' : ''}</h3>
          {keys.length ? (
            <ol className="report-keys">
              {keys.map((k, i) => {
                const caption = `${i + 1}. Slice ${k.index + 1}${k.instance !== undefined ? ` (instance ${k.instance})` : ''}${k.position !== undefined ? ` · ${k.position.toFixed(1)} mm` : ''} · P(tumour) ${pct(k.tumorProbability)}`;
                return (
                  <li key={k.index}>
                    <figure>
                      <KeySliceImage slice={k} label={`Key slice ${i + 1}: slice ${k.index + 1} with its evidence map`} />
                      <figcaption>{caption}</figcaption>
                    </figure>
                  </li>
                );
              })}
            </ol>
          ) : (
            <p>No slice was diagnosed, so no key slice.</p>
          )}
          <p className="report-note">Heat map: where the evidence was found, not an outline of the tumour; its strength follows P(tumour).</p>
        </section>
        <section aria-label="P(tumour) along the series">
          <h3>P(tumour) along the series</h3>
          <SliceChart slices={r.slices} keySlices={v.keySlices} thresholds={lines} />
        </section>
        <section aria-label="Model, rules and where it ran">
          <h3>Model, rules and where it ran</h3>
          <dl className="report-fields report-model">
            <div><dt>Model</dt><dd>{r.model.name} {r.model.version}</dd></div>
            <div className="wide"><dt>Model sha256</dt><dd className="hash">{r.model.sha256}</dd></div>
            <div><dt>Slice threshold</dt><dd>Tumor at P(tumour) ≥ {pct(d.threshold)}; uncertain {pct(band[0])}–{pct(band[1])}</dd></div>
            <div className="wide"><dt>Series rule</dt><dd>{s.rule}</dd></div>
            <div><dt>Ran on</dt><dd>{backendText(r)}</dd></div>
            <div><dt>Date and time</dt><dd>{dateTimeText(r.analysedAt)}</dd></div>
          </dl>
        </section>
        <footer className="report-disclaimer">{disclaimer}</footer>
      </article>
    </div>
  );
}

// The study list: patient (this device only), date, description; each series with its description, modality,
// slice count and orientation, and a button to analyse it.
import { dicomDate } from '../../lib/dicom-info.ts';
import type { SeriesEntry, Skipped, StudyEntry } from './study.ts';
import { skippedTotal } from './study.ts';

export interface StudyListProps {
  studies: StudyEntry[];
  skipped: Skipped;
  /** The series being analysed or shown. */
  activeKey: string | null;
  busy: boolean;
  canAnalyse: boolean;
  onAnalyse: (series: SeriesEntry, study: StudyEntry) => void;
}

export function skippedText(s: Skipped): string {
  const parts = [
    s.notDicom ? `${s.notDicom} not DICOM` : '',
    s.noImage ? `${s.noImage} DICOM without an image (DICOMDIR, report)` : '',
    s.unreadable ? `${s.unreadable} unreadable` : '',
  ].filter(Boolean);
  const n = skippedTotal(s);
  return n ? `Skipped ${n} file${n === 1 ? '' : 's'}: ${parts.join(', ')}.` : '';
}

export function StudyList({ studies, skipped, activeKey, busy, canAnalyse, onAnalyse }: StudyListProps) {
  const slices = studies.reduce((n, s) => n + s.series.reduce((m, x) => m + x.sources.length, 0), 0);
  return (
    <section aria-label="Studies" className="study-list">
      <p role="status">
        {studies.length} stud{studies.length === 1 ? 'y' : 'ies'}, {studies.reduce((n, s) => n + s.series.length, 0)} series, {slices} slice{slices === 1 ? '' : 's'}.
        {skippedTotal(skipped) ? ` ${skippedText(skipped)}` : ''}
      </p>
      {studies.map((study) => (
        <article key={study.studyInstanceUid} className="study" aria-label={`Study ${study.description || 'without description'}`}>
          <h3>{study.description || 'Study without description'}</h3>
          <dl className="study-fields">
            <div className="patient">
              <dt>Patient (shown on this device only)</dt>
              <dd>{[study.patient.name, study.patient.id].filter(Boolean).join(' · ') || '—'}</dd>
            </div>
            <div>
              <dt>Date</dt>
              <dd>{study.date ? dicomDate(study.date) : '—'}</dd>
            </div>
          </dl>
          <table className="series-table">
            <thead>
              <tr>
                <th scope="col">Series</th>
                <th scope="col">Modality</th>
                <th scope="col">Slices</th>
                <th scope="col">Orientation</th>
                <th scope="col"><span className="visually-hidden">Action</span></th>
              </tr>
            </thead>
            <tbody>
              {study.series.map((series) => {
                const name = series.group.description || 'Series without description';
                const number = series.sources[0]!.header.meta.seriesNumber;
                return (
                  <tr key={series.key} aria-selected={series.key === activeKey} data-series={name}>
                    <th scope="row">{number !== null ? `${number} · ` : ''}{name}</th>
                    <td>{series.group.modality || '?'}</td>
                    <td>{series.sources.length}</td>
                    <td>{series.group.orientation ?? 'unknown'}</td>
                    <td>
                      <button type="button" disabled={busy || !canAnalyse} onClick={() => onAnalyse(series, study)} aria-label={`Analyse series ${name}`}>
                        Analyse
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

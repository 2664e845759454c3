import type { HistoryRecord } from './store.ts';

export interface HistoryPanelProps {
  records: HistoryRecord[];
  signedOutRecords: HistoryRecord[];
  pending: number;
  signedIn: boolean;
  online: boolean;
  syncError: string | null;
  /** A history write that failed (e.g. storage full); the result itself was still shown. */
  saveError?: string | null;
  onDismissSaveError?: () => void;
  onAdopt: () => void;
  onClear: () => void;
}

const pct = (p: number) => `${Math.round(p * 100)} %`;
/** A refused image has no P(tumour): "—", also for records stored before refusals dropped it. */
const tumourText = (r: HistoryRecord) => (r.result === 'Not a brain MRI' || r.tumorProbability === null ? '—' : pct(r.tumorProbability));

/** Results on this device for the current account, newest first. */
export function HistoryPanel(props: HistoryPanelProps) {
  const { records, signedOutRecords, pending, signedIn, online, syncError, saveError, onDismissSaveError, onAdopt, onClear } = props;
  return (
    <section aria-labelledby="history-title" className="panel history">
      <h2 id="history-title">History</h2>
      <p className="muted">
        {records.length} result{records.length === 1 ? '' : 's'} on this device
        {signedIn ? (pending ? ` · ${pending} waiting to sync${online ? '' : ' (offline)'}` : ' · all synced') : ' · not signed in: kept on this device only'}
      </p>
      {syncError && <p className="error">Sync failed: {syncError}</p>}
      {saveError && (
        <div className="error" role="alert" data-testid="history-save-error">
          <p>{saveError}</p>
          {records.length === 0 && (
            <button type="button" onClick={onClear}>Clear local history</button>
          )}{' '}
          {onDismissSaveError && (
            <button type="button" onClick={onDismissSaveError}>Dismiss</button>
          )}
        </div>
      )}
      {signedIn && signedOutRecords.length > 0 && (
        <p>
          {signedOutRecords.length} result{signedOutRecords.length === 1 ? ' was' : 's were'} made while signed out.{' '}
          <button type="button" onClick={onAdopt}>Add them to my account</button>
        </p>
      )}
      {records.length > 0 && (
        <>
          <ol className="history-list" aria-label="Past results, newest first">
            {records.map((r) => (
              <li key={r.id} data-kind={r.series ? 'series' : 'image'}>
                {r.thumbnail && <img src={r.thumbnail} alt="" width={40} height={40} />}
                <span className="history-result" data-result={r.result}>{r.result}</span>
                <span>P(tumour) {tumourText(r)}{r.uncertain ? ' · uncertain' : ''}</span>
                <span className="muted">
                  {r.fileName} · {r.backend} · {new Date(r.createdAt).toLocaleString()} · {r.synced ? 'synced' : r.result === 'Not a brain MRI' ? 'on device only' : 'on device'}
                </span>
              </li>
            ))}
          </ol>
          <button type="button" onClick={onClear}>Clear local history</button>
        </>
      )}
    </section>
  );
}

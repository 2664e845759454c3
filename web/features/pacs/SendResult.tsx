// "Send result to PACS" (issue 14), for a series that came from the PACS: only on the user's explicit action, after a
// confirmation that says what will be sent, the series result as a DICOM Basic Text SR (models/core/dicom/result-sr.ts)
// is stored by STOW-RS into the analysed study, as a new series, through the server's gateway (which audits it).
// Sending → sent (the new Series Instance UID) or failed (why, and Retry with the same file: the same UIDs, so a
// retry after an answer that was lost files no second copy).
import { useState } from 'react';
import { buildResultSr, SR_SERIES_DESCRIPTION, type ResultSr, type ResultSrInput } from '../../../models/core/dicom/result-sr.ts';
import type { PacsClient } from './client.ts';
import { pacsErrorText } from './errors.ts';

export interface SendResultProps {
  client: PacsClient;
  online: boolean;
  /** The analysed series' references and its verdict (the series feature makes them; web/app hands them here). */
  source: Pick<ResultSrInput, 'evidence' | 'findings'>;
}

type State =
  | { step: 'idle'; error?: string }
  | { step: 'confirm'; sr: ResultSr }
  | { step: 'sending'; sr: ResultSr }
  | { step: 'sent'; sr: ResultSr }
  | { step: 'failed'; sr: ResultSr; error: string };

export function SendResult({ client, online, source }: SendResultProps) {
  const [state, setState] = useState<State>({ step: 'idle' });

  const send = (sr: ResultSr) => {
    setState({ step: 'sending', sr });
    client.storeInstances(sr.studyInstanceUid, [sr.bytes]).then(
      () => setState({ step: 'sent', sr }),
      (err: unknown) => setState({ step: 'failed', sr, error: pacsErrorText(err).replace(' Local files still work.', ' Try again when it is back.') }),
    );
  };

  const ask = () => {
    try {
      setState({ step: 'confirm', sr: buildResultSr(source) });
    } catch (err) {
      setState({ step: 'idle', error: `The result cannot be written: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  return (
    <div className="pacs-send" role="group" aria-label="Send result to PACS">
      {state.step === 'idle' && (
        <>
          <button type="button" onClick={ask} disabled={!online}>Send result to PACS</button>
          {!online && <p className="muted">Offline: the PACS cannot be reached.</p>}
          {state.error && <p role="alert" className="error">{state.error}</p>}
        </>
      )}
      {state.step === 'confirm' && (
        <div role="group" aria-label="Confirm sending to the PACS" className="pacs-send-confirm">
          <p>
            This stores a new series, “{SR_SERIES_DESCRIPTION}”, in this study on the PACS: one DICOM Basic Text SR,
            marked as research and triage output, holding:
          </p>
          <ul data-testid="pacs-send-lines">
            {state.sr.lines.map((l) => <li key={l}>{l}</li>)}
          </ul>
          <p className="muted">
            It carries the patient’s name and ID and the study’s details from the series’ own headers, so the PACS files it
            with this patient and study. It goes only to the clinic’s PACS, through this server, which keeps no copy.
          </p>
          <button type="button" onClick={() => send(state.sr)}>Send to PACS</button>{' '}
          <button type="button" onClick={() => setState({ step: 'idle' })}>Cancel</button>
        </div>
      )}
      {state.step === 'sending' && <p role="status">Sending the result to the PACS…</p>}
      {state.step === 'sent' && (
        <p role="status" data-testid="pacs-sent">
          Sent to the PACS: new series <code data-testid="pacs-sent-series">{state.sr.seriesInstanceUid}</code> (“{SR_SERIES_DESCRIPTION}”). Orthanc
          shows it under the study.
        </p>
      )}
      {state.step === 'failed' && (
        <>
          <p role="alert" className="error">Not sent: {state.error}</p>
          <button type="button" onClick={() => send(state.sr)} disabled={!online}>Retry sending to PACS</button>{' '}
          <button type="button" onClick={() => setState({ step: 'idle' })}>Cancel</button>
        </>
      )}
    </div>
  );
}

import { dicomDate, type DicomInfo } from '../../lib/dicom-info.ts';

const windowText = (w: DicomInfo['window']) =>
  !w ? 'none (colour image)' : `centre ${+w.center.toFixed(2)}, width ${+w.width.toFixed(2)} (${w.source === 'file' ? 'from the file' : w.source === 'lut' ? 'VOI LUT from the file' : 'automatic: the full range, min to max'})`;

/**
 * Whose scan this is and how the DICOM was read. The patient fields come from the file on this device and are
 * shown here only: history keeps none of them and nothing of them is sent.
 */
export function DicomDetails({ dicom }: { dicom: DicomInfo }) {
  const { patient } = dicom;
  return (
    <section className="dicom-details" aria-label="DICOM details">
      {dicom.refusal && (
        <p className="caution" role="note">
          {dicom.refusal}
        </p>
      )}
      <dl className="patient" aria-label="Patient (shown on this device only)">
        <div>
          <dt>Patient</dt>
          <dd>{patient.name || '—'}</dd>
        </div>
        <div>
          <dt>Patient ID</dt>
          <dd>{patient.id || '—'}</dd>
        </div>
        <div>
          <dt>Study date</dt>
          <dd>{patient.studyDate ? dicomDate(patient.studyDate) : '—'}</dd>
        </div>
      </dl>
      <p className="muted">Shown on this device only: the patient’s details are not kept in the history and never sent.</p>
      <dl className="dicom-meta" aria-label="How the DICOM was read">
        <div>
          <dt>Series</dt>
          <dd>{dicom.seriesDescription || '—'}</dd>
        </div>
        <div>
          <dt>Frame</dt>
          <dd>
            {dicom.frame} of {dicom.frames}
          </dd>
        </div>
        <div>
          <dt>Modality</dt>
          <dd>{dicom.modality || '—'}</dd>
        </div>
        <div>
          <dt>Transfer syntax</dt>
          <dd>
            {dicom.transferSyntaxName} <span className="muted">({dicom.transferSyntax})</span>
          </dd>
        </div>
        {!dicom.refusal && (
          <div>
            <dt>Window</dt>
            <dd>{windowText(dicom.window)}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

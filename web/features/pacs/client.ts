// The PACS through the server's DICOMweb gateway (/api/dicomweb/*, session cookie): QIDO-RS searches and WADO-RS
// instance retrieves with dicomweb-client. The panel sees only this small interface (tests stub it).
import { api as dicomweb } from 'dicomweb-client';

export interface StudyQuery {
  patientName?: string;
  patientId?: string;
  /** YYYY-MM-DD (input[type=date]) */
  from?: string;
  to?: string;
  accession?: string;
  /** e.g. MR; empty = any */
  modality?: string;
}

export interface StudyRow {
  studyUid: string;
  patientName: string;
  patientId: string;
  /** YYYYMMDD as the PACS has it */
  date: string;
  description: string;
  accession: string;
}

export interface SeriesRow {
  seriesUid: string;
  description: string;
  modality: string;
  number: string;
  /** NumberOfSeriesRelatedInstances; null when the PACS does not say */
  slices: number | null;
}

export interface PacsClient {
  searchStudies(q: StudyQuery): Promise<StudyRow[]>;
  searchSeries(studyUid: string): Promise<SeriesRow[]>;
  /**
   * A series' DICOM Part 10 instances, in one WADO-RS series retrieve (the request the gateway audits as the study
   * opened); onProgress with the bytes received and the answer's length when it is known. `signal` aborts the request
   * (the promise then rejects with an AbortError).
   */
  retrieveSeries(studyUid: string, seriesUid: string, onProgress: (loaded: number, total: number | null) => void, signal?: AbortSignal): Promise<ArrayBuffer[]>;
  /**
   * STOW-RS of Part 10 instances into a study (the gateway audits it). Rejects, with the HTTP status, when the PACS
   * refuses or fails, and when its answer does not confirm every instance stored (checkStowAnswer: a 202, an
   * unreadable answer, a Failed SOP Sequence, fewer listed than sent).
   */
  storeInstances(studyUid: string, instances: Uint8Array[]): Promise<void>;
}

/**
 * A STOW-RS answer (asked for as application/dicom+json) is a success only when it confirms every instance: a 202
 * Accepted (stored with warnings, or some not at all), an answer that cannot be read as DICOM JSON (empty, XML, an
 * error page), one that lists failed instances (00081198) or lists fewer stored (00081199) than sent is a failure,
 * whatever its status.
 */
export function checkStowAnswer(body: unknown, sent: number, status = 200): void {
  const refused = (why: string) => Object.assign(new Error(why), { status: 409, refused: true });
  if (status === 202) throw refused(`it answered 202 Accepted: not every instance was stored as sent`);
  let json: unknown = body;
  // (An ArrayBuffer from any realm: instanceof would miss one from another window or worker.)
  if (typeof body === 'string' || Object.prototype.toString.call(body) === '[object ArrayBuffer]') {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body as ArrayBuffer);
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  const ds = (Array.isArray(json) ? json[0] : json) as Dataset | undefined;
  if (!ds || typeof ds !== 'object' || Array.isArray(ds)) throw refused('its answer could not be read, so nothing confirms the result was stored');
  const failed = ds['00081198']?.Value?.length ?? 0;
  const stored = ds['00081199']?.Value?.length ?? 0;
  if (failed > 0 || stored < sent) throw refused(`it refused ${failed || sent - stored} of ${sent} instances`);
}

type Dataset = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

/** A tag's first value as text (a PN's Alphabetic group). */
export function tagText(ds: Dataset, tag: string): string {
  const v = ds[tag]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return String((v as { Alphabetic?: string }).Alphabetic ?? '');
  return String(v);
}

const day = (d: string | undefined) => (d ?? '').replaceAll('-', '');

/** The QIDO-RS matching keys for a query (empty fields left out; a name matches as a prefix). */
export function studyQueryParams(q: StudyQuery): Record<string, string> {
  const p: Record<string, string> = {};
  const name = q.patientName?.trim();
  if (name) p.PatientName = name.endsWith('*') ? name : `${name}*`;
  if (q.patientId?.trim()) p.PatientID = q.patientId.trim();
  if (q.accession?.trim()) p.AccessionNumber = q.accession.trim();
  if (q.modality?.trim()) p.ModalitiesInStudy = q.modality.trim();
  const from = day(q.from);
  const to = day(q.to);
  if (from || to) p.StudyDate = from === to ? from : `${from}-${to}`;
  return p;
}

export function createPacsClient(url = `${location.origin}/api/dicomweb`): PacsClient {
  const client = new dicomweb.DICOMwebClient({ url, singlepart: false, headers: {} });
  // STOW-RS asks for its answer as DICOM JSON (the library sends no Accept of its own), to check it (checkStowAnswer).
  const stow = new dicomweb.DICOMwebClient({ url, singlepart: false, headers: { Accept: 'application/dicom+json' } });
  return {
    async searchStudies(q) {
      const rows = (await client.searchForStudies({ queryParams: studyQueryParams(q) })) as Dataset[];
      return rows.map((ds) => ({
        studyUid: tagText(ds, '0020000D'),
        patientName: tagText(ds, '00100010').replaceAll('^', ' ').trim(),
        patientId: tagText(ds, '00100020'),
        date: tagText(ds, '00080020'),
        description: tagText(ds, '00081030'),
        accession: tagText(ds, '00080050'),
      }));
    },
    async searchSeries(studyUid) {
      const rows = (await client.searchForSeries({ studyInstanceUID: studyUid, queryParams: { includefield: '00201209' } })) as Dataset[];
      return rows.map((ds) => {
        const n = Number(tagText(ds, '00201209'));
        return {
          seriesUid: tagText(ds, '0020000E'),
          description: tagText(ds, '0008103E'),
          modality: tagText(ds, '00080060'),
          number: tagText(ds, '00200011'),
          slices: tagText(ds, '00201209') && Number.isFinite(n) ? n : null,
        };
      });
    },
    retrieveSeries(studyUid, seriesUid, onProgress, signal) {
      const aborted = () => new DOMException('The series fetch was cancelled.', 'AbortError');
      if (signal?.aborted) return Promise.reject(aborted());
      // Our own XMLHttpRequest, so that the signal can abort it; the promise settles at once, whatever the library does then.
      const xhr = new XMLHttpRequest();
      return new Promise<ArrayBuffer[]>((resolve, reject) => {
        const abort = () => { reject(aborted()); xhr.abort(); };
        signal?.addEventListener('abort', abort, { once: true });
        client.retrieveSeries({
          studyInstanceUID: studyUid,
          seriesInstanceUID: seriesUid,
          request: { instance: xhr, progressCallback: (e: ProgressEvent) => onProgress(e.loaded, e.lengthComputable ? e.total : null) },
        }).then(resolve, (err: unknown) => reject(signal?.aborted ? aborted() : err))
          .finally(() => signal?.removeEventListener('abort', abort));
      });
    },
    async storeInstances(studyUid, instances) {
      // A copy of each file's own bytes (dicomweb-client takes ArrayBuffers).
      const datasets = instances.map((b) => b.slice().buffer);
      // Our own XMLHttpRequest, to read the answer's status (the library resolves a 202 as it does a 200).
      const xhr = new XMLHttpRequest();
      const answer: unknown = await stow.storeInstances({ studyInstanceUID: studyUid, datasets, request: { instance: xhr } });
      checkStowAnswer(answer, instances.length, xhr.status);
    },
  };
}

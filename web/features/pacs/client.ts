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
   * opened); onProgress with the bytes received and the answer's length when it is known.
   */
  retrieveSeries(studyUid: string, seriesUid: string, onProgress: (loaded: number, total: number | null) => void): Promise<ArrayBuffer[]>;
  /**
   * STOW-RS of Part 10 instances into a study (the gateway audits it). Rejects, with the HTTP status, when the PACS
   * refuses or fails, and when its answer lists the instance as failed (Failed SOP Sequence) or does not list it.
   */
  storeInstances(studyUid: string, instances: Uint8Array[]): Promise<void>;
}

/** A STOW-RS answer that lists failed instances (00081198), or fewer stored than sent, is a failure, whatever its status. */
export function checkStowAnswer(body: unknown, sent: number): void {
  let json: unknown = body;
  if (typeof body === 'string') {
    if (!body.trim()) return; // an empty 200: nothing to check
    try { json = JSON.parse(body); } catch { return; } // XML or other: the status said it was stored
  }
  const ds = (Array.isArray(json) ? json[0] : json) as Dataset | undefined;
  if (!ds || typeof ds !== 'object') return;
  const failed = ds['00081198']?.Value?.length ?? 0;
  const stored = ds['00081199']?.Value?.length;
  if (failed > 0 || (stored !== undefined && stored < sent)) {
    throw Object.assign(new Error(`it refused ${failed || sent - (stored ?? 0)} of ${sent} instances`), { status: 409, refused: true });
  }
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
    retrieveSeries(studyUid, seriesUid, onProgress) {
      return client.retrieveSeries({
        studyInstanceUID: studyUid,
        seriesInstanceUID: seriesUid,
        request: { progressCallback: (e: ProgressEvent) => onProgress(e.loaded, e.lengthComputable ? e.total : null) },
      });
    },
    async storeInstances(studyUid, instances) {
      // A copy of each file's own bytes (dicomweb-client takes ArrayBuffers).
      const datasets = instances.map((b) => b.slice().buffer);
      const answer: unknown = await client.storeInstances({ studyInstanceUID: studyUid, datasets });
      checkStowAnswer(answer, instances.length);
    },
  };
}

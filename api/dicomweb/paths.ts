// The allow-list of what /api/dicomweb/* forwards: DICOMweb resource paths only (PS3.18 QIDO-RS, WADO-RS, STOW-RS),
// matched on the raw, undecoded path, so no percent-encoding, dot segment, backslash, empty segment or absolute URL
// gets through; selected query parameters only, re-encoded. Anything else is refused before the PACS is reached.

/** A UID as PS3.5 9.1 writes it: digits in dot-separated components, at most 64 characters ("." or ".." is not one). */
const UID = '(?:0|[1-9][0-9]*)(?:\\.(?:0|[1-9][0-9]*))*';
const FRAMES = '[1-9][0-9]{0,5}(?:,[1-9][0-9]{0,5}){0,255}';

/** What a forwarded request does: a QIDO-RS search, a WADO-RS retrieve of pixel data at one level (audited), metadata, a STOW-RS store (audited). */
export type DicomwebAction = 'search' | 'retrieve_study' | 'retrieve_series' | 'retrieve_instance' | 'retrieve_frames' | 'metadata' | 'store';

export interface AllowedPath {
  /** The path below the DICOMweb root, as received (already known to be safe to append). */
  path: string;
  action: DicomwebAction;
  studyUid: string | undefined;
}

const RULES: Array<{ re: RegExp; get?: DicomwebAction; post?: DicomwebAction }> = [
  { re: new RegExp('^studies$'), get: 'search', post: 'store' },
  { re: new RegExp('^series$'), get: 'search' },
  { re: new RegExp('^instances$'), get: 'search' },
  { re: new RegExp(`^studies/(${UID})$`), get: 'retrieve_study', post: 'store' },
  { re: new RegExp(`^studies/(${UID})/metadata$`), get: 'metadata' },
  { re: new RegExp(`^studies/(${UID})/(?:series|instances)$`), get: 'search' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}$`), get: 'retrieve_series' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}/metadata$`), get: 'metadata' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}/instances$`), get: 'search' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}/instances/${UID}$`), get: 'retrieve_instance' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}/instances/${UID}/metadata$`), get: 'metadata' },
  { re: new RegExp(`^studies/(${UID})/series/${UID}/instances/${UID}/frames/${FRAMES}$`), get: 'retrieve_frames' },
];

/** The rule for `method` on `path` (below the root, no leading slash), or undefined when it is not forwarded. */
export function allowedPath(method: string, path: string): AllowedPath | undefined {
  if (path.length > 1024) return undefined;
  for (const rule of RULES) {
    const m = rule.re.exec(path);
    if (!m) continue;
    const action = method === 'GET' || method === 'HEAD' ? rule.get : method === 'POST' ? rule.post : undefined;
    if (!action) return undefined;
    const studyUid = m[1];
    if (studyUid !== undefined && studyUid.length > 64) return undefined;
    return { path, action, studyUid };
  }
  return undefined;
}

/** QIDO-RS matching keys and options the gateway passes on (by keyword or as an 8-digit tag); the rest are dropped. */
const QUERY_KEYS = new Set([
  'PatientID', 'PatientName', 'PatientBirthDate', 'StudyDate', 'StudyTime', 'AccessionNumber', 'ModalitiesInStudy', 'Modality',
  'StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID', 'StudyID', 'StudyDescription', 'SeriesDescription', 'SeriesNumber',
  'InstanceNumber', 'ReferringPhysicianName', 'limit', 'offset', 'fuzzymatching', 'includefield',
]);
const TAG = /^[0-9A-Fa-f]{8}$/;

/** The forwarded query string ('' or '?…'): allowed keys only, values re-encoded, at most 64 parameters of 256 characters. */
export function forwardedQuery(search: URLSearchParams): string {
  const out = new URLSearchParams();
  let n = 0;
  for (const [key, value] of search) {
    if (!(QUERY_KEYS.has(key) || TAG.test(key)) || value.length > 256 || ++n > 64) continue;
    out.append(key, value);
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

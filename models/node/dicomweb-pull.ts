// Studies pulled from a DICOMweb archive for the CLI (npm run classify -- --dicomweb <root>): QIDO-RS lists the
// studies (GET {root}/studies, paged) and each study's series (GET {root}/studies/{study}/series); WADO-RS retrieves a
// series whole (GET {root}/studies/{study}/series/{series}, multipart/related of application/dicom, transfer-syntax=*
// so the files come as stored). Plain fetch and the shared streaming multipart reader (models/node/multipart.ts):
// dicomweb-client needs XMLHttpRequest, which Node does not have. Credentials from the same settings as the server:
// DICOMWEB_USER / DICOMWEB_PASSWORD (basic) or DICOMWEB_TOKEN (bearer); DICOMWEB_TIMEOUT_MS bounds the wait for an
// answer and any silence inside one. A series is handed on only once its answer is complete (closing boundary read):
// an archive that stops or a connection cut mid-series is a PacsUnavailable error, never a shorter series.
import { parseDicom } from '../core/dicom/parse.ts';
import { MultipartError, multipartBoundary, multipartParts, partHeader } from './multipart.ts';

export interface DicomwebSource {
  /** The DICOMweb root, no trailing slash. */
  root: string;
  authorization: string | undefined;
  timeoutMs: number;
}

/** The archive could not be reached, failed (5xx), went silent, or stopped mid-answer. */
export class PacsUnavailable extends Error {
  readonly code = 'pacs_unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'PacsUnavailable';
  }
}

/** The archive answered with a refusal (4xx: credentials, an unknown study …). */
export class PacsRefused extends Error {
  readonly code = 'pacs_refused';
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'PacsRefused';
  }
}

export interface SeriesRef {
  studyUid: string;
  seriesUid: string;
  /** Series Number (0020,0011), NaN when absent. */
  number: number;
  modality: string;
}

export interface PulledInstance {
  /** `dicomweb:<study UID>/<series UID>/<SOP Instance UID>` (the part's place, `#<n>`, when the file has no SOP UID). */
  name: string;
  bytes: Uint8Array;
}

type Dataset = Record<string, { Value?: unknown[] } | undefined>;
const text = (ds: Dataset, tag: string) => {
  const v = ds[tag]?.Value?.[0];
  return v === undefined || v === null ? '' : String(v);
};

/** Most parts and bytes in one series answer (5000 slices, 4 GiB): an answer past them is refused, not read on. */
const SERIES_LIMITS = { maxParts: 5000, maxBytes: 4 * 2 ** 30 };
const PAGE = 500;

/** The source from a root URL and the DICOMWEB_* environment (the same names and rules as the server's settings). */
export function dicomwebSource(rootUrl: string, env: Record<string, string | undefined> = process.env): DicomwebSource {
  let url: URL;
  try { url = new URL(rootUrl); } catch { throw new Error(`--dicomweb needs an http(s) URL, got "${rootUrl}".`); }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new Error('--dicomweb needs a plain http(s) URL (credentials in DICOMWEB_USER/DICOMWEB_PASSWORD or DICOMWEB_TOKEN).');
  }
  const { DICOMWEB_USER: user, DICOMWEB_PASSWORD: password, DICOMWEB_TOKEN: token, DICOMWEB_TIMEOUT_MS: timeout } = env;
  if (token && user) throw new Error('Set DICOMWEB_TOKEN or DICOMWEB_USER/DICOMWEB_PASSWORD, not both.');
  const timeoutMs = timeout ? Number(timeout) : 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new Error(`DICOMWEB_TIMEOUT_MS must be an integer ≥ 1, got "${timeout}".`);
  return {
    root: url.href.replace(/\/+$/, ''),
    authorization: token ? `Bearer ${token}` : user ? `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` : undefined,
    timeoutMs,
  };
}

/**
 * One GET: the response once its headers are in, and a `touch` the body reader calls on every chunk. The request is
 * aborted when no headers came within the timeout, or when the body then stays silent that long.
 */
async function get(src: DicomwebSource, path: string, accept: string): Promise<{ res: Response; touch: () => void; done: () => void }> {
  const abort = new AbortController();
  let timer = setTimeout(() => abort.abort(), src.timeoutMs);
  const touch = () => { clearTimeout(timer); timer = setTimeout(() => abort.abort(), src.timeoutMs); };
  const done = () => clearTimeout(timer);
  const headers: Record<string, string> = { accept, 'accept-encoding': 'identity' };
  if (src.authorization) headers.authorization = src.authorization;
  let res: Response;
  try {
    res = await fetch(`${src.root}/${path}`, { headers, signal: abort.signal, redirect: 'error' });
  } catch (e) {
    done();
    throw new PacsUnavailable(abort.signal.aborted
      ? `The PACS at ${src.root} did not answer within ${src.timeoutMs} ms.`
      : `The PACS at ${src.root} is unreachable (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message}).`);
  }
  if (res.status >= 500) {
    done();
    await res.body?.cancel().catch(() => {});
    throw new PacsUnavailable(`The PACS at ${src.root} answered ${res.status} to GET ${path}.`);
  }
  if (!res.ok) {
    done();
    await res.body?.cancel().catch(() => {});
    throw new PacsRefused(`The PACS at ${src.root} refused GET ${path}: ${res.status}${res.status === 401 || res.status === 403 ? ' (check DICOMWEB_USER/DICOMWEB_PASSWORD or DICOMWEB_TOKEN)' : ''}.`, res.status);
  }
  return { res, touch, done };
}

const cut = (src: DicomwebSource, what: string, e: unknown) =>
  new PacsUnavailable(`The PACS at ${src.root} stopped while sending ${what} (${e instanceof MultipartError ? e.why : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message)}); nothing of it was used.`);

/** A QIDO-RS answer (application/dicom+json; an empty 204 is no match). */
async function search(src: DicomwebSource, path: string): Promise<Dataset[]> {
  const { res, touch, done } = await get(src, path, 'application/dicom+json');
  let body: string;
  try {
    touch();
    body = await res.text();
  } catch (e) {
    throw cut(src, `the answer to ${path}`, e);
  } finally {
    done();
  }
  if (!body.trim()) return [];
  let rows: unknown;
  try { rows = JSON.parse(body); } catch { rows = null; }
  // Not DICOM JSON datasets (a login page, a proxy's error page, Orthanc's own REST API and its list of ids): not the
  // DICOMweb root, or something stands before it.
  if (!Array.isArray(rows) || !rows.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) throw new PacsRefused(`The PACS at ${src.root} answered GET ${path} with something other than DICOM JSON (is it the DICOMweb root?).`, res.status);
  return rows as Dataset[];
}

/**
 * Every study's UID (QIDO-RS /studies, page by page with limit/offset). A short page is not the end: archives cap a
 * page below the limit asked for (Orthanc's LimitFindResults, dcm4chee's maximum), so the next offset is past the
 * rows received and the last page is the one that adds nothing (empty, or an archive that ignores offset).
 */
export async function listStudies(src: DicomwebSource): Promise<string[]> {
  const seen = new Set<string>();
  for (let offset = 0; ;) {
    const rows = await search(src, `studies?limit=${PAGE}&offset=${offset}&includefield=0020000D`);
    const before = seen.size;
    for (const uid of rows.map((d) => text(d, '0020000D'))) if (uid) seen.add(uid);
    if (rows.length === 0 || seen.size === before) return [...seen];
    offset += rows.length;
  }
}

/** A study's series, by Series Number (then UID). */
export async function listSeries(src: DicomwebSource, studyUid: string): Promise<SeriesRef[]> {
  const rows = await search(src, `studies/${encodeURIComponent(studyUid)}/series`);
  return rows
    .map((d) => ({ studyUid, seriesUid: text(d, '0020000E'), number: Number(text(d, '00200011') || NaN), modality: text(d, '00080060') }))
    .filter((s) => s.seriesUid)
    .sort((a, b) => (Number.isNaN(a.number) ? Infinity : a.number) - (Number.isNaN(b.number) ? Infinity : b.number) || (a.seriesUid < b.seriesUid ? -1 : a.seriesUid > b.seriesUid ? 1 : 0));
}

/** The stable name of an instance in the CLI's lines. */
export function instanceName(studyUid: string, seriesUid: string, bytes: Uint8Array, place: number): string {
  let sop = '';
  try { sop = parseDicom(bytes).meta.sopInstanceUid.replace(/[\0\s]+$/, ''); } catch { /* not DICOM, or not readable: named by place */ }
  return `dicomweb:${studyUid}/${seriesUid}/${sop || `#${place}`}`;
}

/** A series retrieved whole (WADO-RS): its instances, only once the answer is complete. */
export async function retrieveSeries(src: DicomwebSource, ref: SeriesRef): Promise<PulledInstance[]> {
  const path = `studies/${encodeURIComponent(ref.studyUid)}/series/${encodeURIComponent(ref.seriesUid)}`;
  const { res, touch, done } = await get(src, path, 'multipart/related; type="application/dicom"; transfer-syntax=*');
  const out: PulledInstance[] = [];
  try {
    const boundary = multipartBoundary(res.headers.get('content-type') ?? undefined, 'related');
    if (!boundary) {
      await res.body?.cancel().catch(() => {});
      throw new PacsRefused(`The PACS at ${src.root} answered GET ${path} with ${res.headers.get('content-type') ?? 'no Content-Type'}, not multipart/related.`, res.status);
    }
    // Every chunk resets the silence timer.
    const counted = res.body?.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ transform(chunk, c) { touch(); c.enqueue(chunk); } })) ?? null;
    for await (const part of multipartParts(counted, boundary, SERIES_LIMITS)) {
      const type = partHeader(part.headers, 'content-type');
      if (type && !/^application\/dicom\s*(;|$)/i.test(type)) continue; // not an instance (a bulk-data or JSON part)
      out.push({ name: instanceName(ref.studyUid, ref.seriesUid, part.bytes, out.length + 1), bytes: part.bytes });
    }
  } catch (e) {
    if (e instanceof PacsRefused) throw e;
    if (e instanceof MultipartError && e.code !== 'malformed') throw new PacsRefused(`The series ${ref.seriesUid} is over the CLI's limits: ${e.message}`, 413);
    throw cut(src, `series ${ref.seriesUid}`, e);
  } finally {
    done();
  }
  return out;
}

/** The series of the named studies (every study when none is named), study by study. */
export async function* seriesOf(src: DicomwebSource, studies: readonly string[]): AsyncGenerator<SeriesRef> {
  const uids = studies.length ? studies : await listStudies(src);
  for (const uid of uids) yield* await listSeries(src, uid);
}

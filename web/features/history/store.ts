// Results history on this device, kept per account (a shared clinic tablet): IndexedDB in the
// browser, an in-memory twin for tests. Never the image; a thumbnail only if the user asks.
import type { dicomHistoryFields } from '../../lib/dicom-info.ts';
import type { AnalysisResult } from '../../lib/types.ts';

/** What history keeps of an analysed series: nothing that names the patient or the study, no UID, no date. */
export interface SeriesHistoryFields {
  /** sha256 of the Series Instance UID (tells series apart without keeping the UID). */
  seriesInstanceUidSha256?: string;
  description: string;
  modality?: string;
  slices: number;
  /** Key slices' indices in series order, most suspicious first. */
  keySlices: number[];
}

export const SIGNED_OUT = 'signed-out';

export interface HistoryRecord {
  id: string;
  /** User id, or SIGNED_OUT for results made while nobody was signed in. */
  account: string;
  createdAt: string;
  fileName: string;
  /** 'Uncertain' only for a series (models/core/series seriesVerdict). */
  result: AnalysisResult['result'] | 'Uncertain';
  /** null for "Not a brain MRI" (records written before that rule may still carry numbers: shown as "—" all the same). */
  label: AnalysisResult['label'];
  probabilities: AnalysisResult['probabilities'];
  tumorProbability: number | null;
  uncertain: boolean;
  model: AnalysisResult['model'];
  backend: AnalysisResult['backend'];
  ms: number;
  imageSha256?: string;
  /** Stored on the server (device results after sync; server results always). */
  synced: boolean;
  thumbnail?: string;
  /** A DICOM frame: nothing that names the patient or the study (web/lib/dicom-info.ts, dicomHistoryFields). */
  dicom?: ReturnType<typeof dicomHistoryFields>;
  /** A whole series' verdict (web/lib/types.ts SeriesResult, less everything that could name the patient). */
  series?: SeriesHistoryFields;
}

export interface HistoryStore {
  list(account: string): Promise<HistoryRecord[]>;
  put(record: HistoryRecord): Promise<void>;
  clear(account: string): Promise<void>;
}

const newestFirst = (a: HistoryRecord, b: HistoryRecord) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

export class MemoryHistoryStore implements HistoryStore {
  private rows = new Map<string, HistoryRecord>();
  async list(account: string) {
    return [...this.rows.values()].filter((r) => r.account === account).sort(newestFirst);
  }
  async put(record: HistoryRecord) {
    this.rows.set(record.id, { ...record });
  }
  async clear(account: string) {
    for (const [id, r] of this.rows) if (r.account === account) this.rows.delete(id);
  }
}

const req = <T,>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

const done = (t: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
  });

export class IdbHistoryStore implements HistoryStore {
  private db: Promise<IDBDatabase>;
  constructor(name = 'bigbrain') {
    this.db = new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore('detections', { keyPath: 'id' });
        store.createIndex('account', 'account');
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  private async tx(mode: IDBTransactionMode) {
    return (await this.db).transaction('detections', mode).objectStore('detections');
  }
  async list(account: string) {
    const rows = await req((await this.tx('readonly')).index('account').getAll(account) as IDBRequest<HistoryRecord[]>);
    return rows.sort(newestFirst);
  }
  async put(record: HistoryRecord) {
    // Wait for the commit: a full quota often shows only there (the transaction aborts with
    // QuotaExceededError after the request itself succeeded).
    const store = await this.tx('readwrite');
    const committed = done(store.transaction);
    await req(store.put(record));
    await committed;
  }
  async clear(account: string) {
    const store = await this.tx('readwrite');
    const keys = await req(store.index('account').getAllKeys(account));
    await Promise.all(keys.map((k) => req(store.delete(k))));
  }
}

export const defaultStore = (): HistoryStore =>
  typeof indexedDB === 'undefined' ? new MemoryHistoryStore() : new IdbHistoryStore();

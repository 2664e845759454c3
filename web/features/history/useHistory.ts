// History as react-query state: local list per account, idempotent sync of device results.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { LABELS, type Label } from '../../../models/core/contract.ts';
import { api, type DetectionUpload } from '../../lib/api.ts';
import { dicomHistoryFields, dicomLabel } from '../../lib/dicom-info.ts';
import { newId } from '../../lib/id.ts';
import type { AnalysisResult, SeriesResult } from '../../lib/types.ts';
import { saveErrorMessage } from './saveError.ts';
import { SIGNED_OUT, type HistoryRecord, type HistoryStore } from './store.ts';

export interface NewResult {
  id: string;
  fileName: string;
  result: AnalysisResult;
  imageSha256?: string;
  thumbnail?: string;
}

export function toRecord(r: NewResult, account: string, now = new Date()): HistoryRecord {
  const a = r.result;
  return {
    id: r.id,
    account,
    createdAt: now.toISOString(),
    // A DICOM's file name is often its SOP Instance UID or the patient's name: a neutral label instead.
    fileName: a.dicom ? dicomLabel(a.dicom) : r.fileName,
    result: a.result,
    label: a.label,
    probabilities: a.probabilities,
    tumorProbability: a.tumorProbability,
    uncertain: a.uncertain,
    model: a.model,
    backend: a.backend,
    ms: Math.round(a.ms * 100) / 100,
    imageSha256: r.imageSha256,
    // Server results are stored by the server when it answers /detect.
    synced: a.backend === 'Server',
    thumbnail: r.thumbnail,
    // Never the patient's name, ID, dates or the UIDs: a hash of the SOP Instance UID, modality, series, frame.
    ...(a.dicom ? { dicom: dicomHistoryFields(a.dicom) } : {}),
  };
}

/**
 * A series as history keeps it: the Series Instance UID's hash, the series description, modality, slice count,
 * verdict and model version. Fields are picked one by one: never the patient's name or ID, the study, its date,
 * a UID, an image or a heat map.
 */
export function seriesToRecord(s: SeriesResult, account: string, id = newId(), now = new Date()): HistoryRecord {
  const v = s.verdict;
  const description = s.series.description;
  return {
    id,
    account,
    createdAt: now.toISOString(),
    fileName: `Series${description ? ` · ${description}` : ''} · ${s.series.slices} slice${s.series.slices === 1 ? '' : 's'}`,
    result: v.result,
    label: (LABELS as readonly string[]).includes(v.label ?? '') ? (v.label as Label) : null,
    probabilities: null,
    tumorProbability: v.tumorProbability,
    uncertain: v.uncertain,
    model: { name: s.model.name, version: s.model.version },
    backend: s.backend,
    ms: 0,
    // The server keeps its own series row (POST /api/series); a device series is not sent as a detection.
    synced: s.backend === 'Server',
    series: {
      ...(s.seriesInstanceUidSha256 ? { seriesInstanceUidSha256: s.seriesInstanceUidSha256 } : {}),
      description,
      ...(s.series.modality ? { modality: s.series.modality } : {}),
      slices: s.series.slices,
      keySlices: [...v.keySlices],
    },
  };
}

type Syncable = HistoryRecord & Pick<DetectionUpload, 'result' | 'label' | 'probabilities' | 'tumorProbability' | 'imageSha256'>;

/** Device results the server keeps: its history holds diagnoses, so "Not a brain MRI" stays local. */
export const needsSync = (r: HistoryRecord): r is Syncable =>
  !r.synced && !r.series && r.result !== 'Not a brain MRI' && r.label !== null && r.probabilities !== null && r.tumorProbability !== null && r.imageSha256 !== undefined;

/** Uploads unsynced device results of this account; each POST is idempotent by its id. */
export async function syncAccount(store: HistoryStore, account: string): Promise<number> {
  let n = 0;
  for (const r of await store.list(account)) {
    if (!needsSync(r)) continue;
    await api.saveDetection({
      id: r.id,
      createdAt: r.createdAt,
      model: r.model,
      result: r.result,
      label: r.label,
      probabilities: r.probabilities,
      tumorProbability: r.tumorProbability,
      uncertain: r.uncertain,
      ms: r.ms,
      imageSha256: r.imageSha256,
    });
    await store.put({ ...r, synced: true });
    n++;
  }
  return n;
}

export function useHistory(store: HistoryStore, userId: string | null, online: boolean) {
  const qc = useQueryClient();
  const account = userId ?? SIGNED_OUT;
  const key = ['history', account];
  const list = useQuery({ queryKey: key, queryFn: () => store.list(account), networkMode: 'always' });
  const signedOut = useQuery({
    queryKey: ['history', SIGNED_OUT],
    queryFn: () => store.list(SIGNED_OUT),
    networkMode: 'always',
    enabled: userId !== null,
  });
  const refresh = useCallback(() => qc.invalidateQueries({ queryKey: ['history'] }), [qc]);
  // A failed write (a full quota, above all) is shown to the user; it never fails the analysis.
  const [saveError, setSaveError] = useState<string | null>(null);
  const saving = useCallback(async (write: () => Promise<void>) => {
    try {
      await write();
      setSaveError(null);
    } catch (err) {
      console.error('History write failed:', err);
      setSaveError(saveErrorMessage(err));
    }
    await refresh();
  }, [refresh]);
  const sync = useMutation({
    mutationKey: ['sync', account],
    mutationFn: () => syncAccount(store, account),
    onSettled: refresh,
  });
  const { mutate: runSync, isPending: syncing } = sync;
  const canSync = userId !== null && online;
  const pending = list.data?.filter(needsSync).length ?? 0;
  useEffect(() => {
    if (canSync && pending > 0 && !syncing) runSync();
  }, [canSync, pending, syncing, runSync]);

  return {
    account,
    records: list.data ?? [],
    /** Results made while signed out, offered to the signed-in user to adopt. */
    signedOutRecords: userId ? (signedOut.data ?? []) : [],
    pending,
    syncError: sync.error instanceof Error ? sync.error.message : null,
    saveError,
    dismissSaveError: () => setSaveError(null),
    add: (r: NewResult) => saving(() => store.put(toRecord(r, account))),
    /** Keeps a series verdict (what seriesToRecord keeps, never patient data). */
    addSeries: (s: SeriesResult) => saving(() => store.put(seriesToRecord(s, account))),
    adoptSignedOut: async () => {
      if (!userId) return;
      const rows = signedOut.data ?? [];
      await saving(async () => {
        for (const r of rows) await store.put({ ...r, account: userId, synced: r.backend === 'Server' && r.synced });
      });
    },
    clear: async () => {
      await store.clear(account);
      setSaveError(null);
      await refresh();
    },
  };
}

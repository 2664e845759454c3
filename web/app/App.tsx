// Composition: the features never import each other; they meet here.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AccountPanel } from '../features/account/index.ts';
import { AnalysePanel, type SavedResult } from '../features/analyse/index.ts';
import { SeriesPanel, type ResultSrSource, type SeriesEngine } from '../features/series/index.ts';
import { createPacsClient, PacsPanel, SendResult } from '../features/pacs/index.ts';
import { defaultStore, HistoryPanel, useHistory, type HistoryStore } from '../features/history/index.ts';
import { SeriesReport, seriesFromSlices, type SliceForReport } from '../features/report/index.ts';
import {
  ModelStatus,
  UpdatePrompt,
  useDeviceSupport,
  useEngine,
  useModelDelivery,
  useServiceWorkerActive,
  useServiceWorkerUpdate,
} from '../features/model/index.ts';
import { api } from '../lib/api.ts';
import type { FrameRef } from '../lib/dicom-info.ts';
import { InferenceClient } from '../lib/inference.ts';
import { useOnline } from '../lib/online.ts';
import { useMe } from '../lib/session.ts';
import { useColourScheme, useSettings } from '../lib/settings.ts';
import type { SeriesResult } from '../lib/types.ts';
import { Disclaimer } from './Disclaimer.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';

export function App({ store: givenStore }: { store?: HistoryStore }) {
  const store = useMemo(() => givenStore ?? defaultStore(), [givenStore]);
  const online = useOnline();
  const me = useMe();
  const user = me.data ?? null;
  const [settings, updateSettings] = useSettings();
  const [busy, setBusy] = useState(false);
  // The one-page report (web/features/report), over the app; the series feature opens it with its SeriesResult.
  const [report, setReport] = useState<SeriesResult | null>(null);
  const closeReport = useCallback(() => setReport(null), []);
  const onReport = useCallback((slices: SliceForReport[]) => setReport(seriesFromSlices(slices)), []);
  // Dark display for reading rooms: the setting, or the device's prefers-color-scheme (web/app/styles.css).
  const scheme = useColourScheme(settings.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = scheme;
  }, [scheme]);

  const support = useDeviceSupport();
  const delivery = useModelDelivery(support.data);
  const swActive = useServiceWorkerActive();
  const update = useServiceWorkerUpdate();
  const { engine, error: engineError } = useEngine(support.data?.kind ?? null, delivery.isSuccess, delivery.dataUpdatedAt, delivery.checkAfterStart);
  const history = useHistory(store, user?.id ?? null, online);

  const deviceUnavailable = support.data?.reason ?? engineError ?? (delivery.error ? `the model could not be downloaded (${delivery.error.message})` : null);
  const server = !online
    ? { available: false, reason: 'Offline: the server cannot be reached.' }
    : !user
      ? { available: false, reason: 'Sign in to analyse on the server.' }
      : { available: true, reason: null };

  // ?debug=1 exposes the engine for the benchmark and end-to-end tests (model-only and end-to-end timings).
  useEffect(() => {
    if (!engine || !new URLSearchParams(location.search).has('debug')) return;
    (window as unknown as Record<string, unknown>).__bigbrain = {
      info: engine.info,
      bench: (runs?: number, warmup?: number) => engine.client.bench(runs, warmup),
      analyse: (blob: Blob, ref?: FrameRef) => engine.client.analyse(blob, ref),
    };
  }, [engine]);

  const analyseOnDevice = useMemo(() => (engine ? (blob: Blob, ref?: FrameRef) => engine.client.analyse(blob, ref) : null), [engine]);
  // Decoding a DICOM frame for the server, and preparing the DICOM decoders, need the worker but not the model:
  // without an engine (still loading, or a device that cannot run it) a worker that loads no model does it.
  const spare = useRef<InferenceClient | null>(null);
  useEffect(() => () => spare.current?.terminate(), []);
  const worker = useCallback(() => engine?.client ?? (spare.current ??= new InferenceClient()), [engine]);
  const dicomFrame = useCallback((blob: Blob, ref: FrameRef) => worker().dicomFrame(blob, ref), [worker]);
  const prepareDicom = useCallback(() => worker().prepareDicom(), [worker]);
  // Series reading (web/features/series): headers need only the worker, analysis the model.
  const readHeaders = useCallback((files: Blob[]) => worker().dicomHeaders(files), [worker]);
  // "Analyse on server" for a series: de-identified copies made in the worker, then POST /api/series.
  const seriesOnServer = useCallback(async (files: Blob[]) => api.series(await worker().deidentify(files)), [worker]);
  const seriesEngine = useMemo<SeriesEngine | null>(() => (engine ? { analyseSeries: (...a) => engine.client.analyseSeries(...a) } : null), [engine]);
  const { add, addSeries } = history;
  const onResult = useCallback((r: SavedResult) => add(r), [add]);
  // A series analysed: history keeps its trace (no patient data: seriesToRecord); the report opens from its verdict.
  const onSeriesResult = useCallback((r: SeriesResult) => void addSeries(r), [addSeries]);
  // The PACS (web/features/pacs), when the server has one: a fetched series goes to the series feature as files.
  const pacsClient = useMemo(() => createPacsClient(), []);
  const [pacsFiles, setPacsFiles] = useState<{ files: File[]; studyUid: string; seriesUid: string } | null>(null);
  const onPacsFiles = useCallback((files: File[], from: { studyUid: string; seriesUid: string }) => setPacsFiles({ files, ...from }), []);
  // "Send result to PACS" (web/features/pacs SendResult) under the verdict of the series the PACS handed over.
  const fromPacs = !!user?.pacs && pacsFiles !== null;
  const pacsSeries = pacsFiles?.seriesUid;
  const seriesActions = useCallback(
    (r: SeriesResult, sr: ResultSrSource | null) => (
      <>
        <button type="button" onClick={() => setReport(r)}>
          Report
        </button>
        {fromPacs && sr && sr.evidence.seriesInstanceUid === pacsSeries && (
          <SendResult key={`${r.analysedAt}\n${pacsSeries}`} client={pacsClient} online={online} source={sr} />
        )}
      </>
    ),
    [fromPacs, pacsSeries, pacsClient, online],
  );

  return (
    <div className="app">
      <header className="topbar" inert={report !== null}>
        <h1>
          <img src="/icons/icon-192.png" alt="" width={32} height={32} /> BigBrain
        </h1>
        <ModelStatus
          progress={delivery.progress}
          cached={delivery.isSuccess}
          swActive={swActive}
          error={delivery.error?.message ?? engineError}
          unsupported={support.data?.reason ?? null}
          backend={engine ? `${engine.info.backend}${engine.info.backend === 'WASM' ? ` ×${engine.info.threads}` : ''}` : null}
          retry={delivery.retry}
          note={delivery.note}
          onRetry={delivery.error ? () => void delivery.refetch() : undefined}
        />
        <button type="button" className="theme-toggle" aria-pressed={scheme === 'dark'} onClick={() => updateSettings({ theme: scheme === 'dark' ? 'light' : 'dark' })}>
          Dark display
        </button>
        <AccountPanel online={online} />
      </header>
      <Disclaimer />
      <UpdatePrompt waiting={update.waiting} busy={busy} onUpdate={update.apply} />
      <main className="layout" inert={report !== null}>
        <div className="main-column">
        <AnalysePanel
          analyseOnDevice={analyseOnDevice}
          dicomFrame={dicomFrame}
          deviceUnavailable={deviceUnavailable}
          server={server}
          autoServer={settings.autoServer}
          thumbnails={settings.thumbnails}
          analyseOnServer={api.detect}
          onResult={onResult}
          onBusyChange={setBusy}
          onReport={onReport}
        />
          {user?.pacs && <PacsPanel client={pacsClient} online={online} onFiles={onPacsFiles} />}
          <SeriesPanel
            incoming={pacsFiles}
            engine={seriesEngine}
            readHeaders={readHeaders}
            deviceUnavailable={deviceUnavailable}
            onSeriesResult={onSeriesResult}
            actions={seriesActions}
            server={server}
            autoServer={settings.autoServer && !!deviceUnavailable}
            analyseOnServer={seriesOnServer}
          />
        </div>
        <aside>
          <HistoryPanel
            records={history.records}
            signedOutRecords={history.signedOutRecords}
            pending={history.pending}
            signedIn={user !== null}
            online={online}
            syncError={history.syncError}
            saveError={history.saveError}
            onDismissSaveError={history.dismissSaveError}
            onAdopt={() => void history.adoptSignedOut()}
            onClear={() => void history.clear()}
          />
          <SettingsPanel settings={settings} onChange={updateSettings} prepareDicom={prepareDicom} />
        </aside>
      </main>
      {report && <SeriesReport result={report} onClose={closeReport} disclaimer={<Disclaimer />} />}
    </div>
  );
}

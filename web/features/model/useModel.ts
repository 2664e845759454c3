// Model delivery + the inference engine, as React state.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { InferenceClient, type EngineInfo } from '../../lib/inference.ts';
import { assetsFor, detectRuntime, type DeviceSupport } from '../../lib/runtime.ts';
import { ensureAssets, verifyCached, type Progress } from './delivery.ts';
import type { RetryInfo } from './download.ts';

const forced = (): string | null => new URLSearchParams(self.location.search).get('backend');

export function useDeviceSupport() {
  return useQuery<DeviceSupport>({
    queryKey: ['device-support'],
    queryFn: () => detectRuntime(forced()),
    staleTime: Infinity,
    networkMode: 'always',
  });
}

export function useModelDelivery(support: DeviceSupport | undefined) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [retry, setRetry] = useState<RetryInfo | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const kind = support?.kind ?? null;
  const query = useQuery({
    queryKey: ['model-delivery', kind],
    enabled: kind !== null && 'caches' in self,
    // Reads Cache Storage first, so it runs offline too; only missing files touch the network.
    networkMode: 'always',
    staleTime: Infinity,
    // ensureAssets retries and resumes by itself; after that the user decides ("Try again").
    retry: false,
    queryFn: async () => {
      setRetry(null);
      try {
        const r = await ensureAssets(assetsFor(kind!), setProgress, undefined, { onRetry: setRetry, onNote: setNote });
        return { kind: kind!, ...r };
      } finally {
        setRetry(null);
      }
    },
  });
  // Once the engine has started (or failed to), the cached runtime is checked byte for byte; a
  // corrupt one is discarded and delivery runs again, which downloads it and restarts the engine.
  const unchecked = query.data?.unchecked;
  const { refetch } = query;
  const checkAfterStart = useCallback(async () => {
    if (unchecked?.length && (await verifyCached(unchecked, undefined, setNote)) > 0) await refetch();
  }, [unchecked, refetch]);
  return { ...query, progress, retry, note, checkAfterStart };
}

/** Whether a service worker is active for this page (the app shell is then available offline). */
export function useServiceWorkerActive(): boolean {
  const [active, setActive] = useState(false);
  useEffect(() => {
    if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
    let live = true;
    void navigator.serviceWorker.ready.then(() => live && setActive(true));
    return () => {
      live = false;
    };
  }, []);
  return active;
}

export interface Engine {
  client: InferenceClient;
  info: EngineInfo;
}

/**
 * Starts the worker and loads the model once the files are cached; again when they are delivered anew
 * (`deliveredAt` changes). `settled` runs once the engine has started or failed.
 */
export function useEngine(kind: DeviceSupport['kind'], cached: boolean, deliveredAt: number, settled: () => Promise<void>) {
  const [engine, setEngine] = useState<Engine | null>(null);
  const [error, setError] = useState<string | null>(null);
  const settledRef = useRef(settled);
  settledRef.current = settled;
  useEffect(() => {
    if (!kind || !cached) return;
    const client = new InferenceClient();
    let live = true;
    const threads = Number(new URLSearchParams(self.location.search).get('threads')) || undefined;
    setError(null);
    client
      .init(kind, forced() === 'wasm', threads)
      .then(
        (info) => live && setEngine({ client, info }),
        (err: Error) => live && setError(err.message),
      )
      .then(() => {
        if (live) void settledRef.current();
      });
    return () => {
      live = false;
      client.terminate();
      setEngine(null);
    };
  }, [kind, cached, deliveredAt]);
  return { engine, error };
}

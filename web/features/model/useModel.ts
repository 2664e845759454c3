// Model delivery + the inference engine, as React state.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { InferenceClient, type EngineInfo } from '../../lib/inference.ts';
import { assetsFor, detectRuntime, type DeviceSupport } from '../../lib/runtime.ts';
import { ensureAssets, type Progress } from './delivery.ts';
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
  return { ...query, progress, retry, note };
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

/** Starts the worker and loads the model once the files are cached. */
export function useEngine(kind: DeviceSupport['kind'], cached: boolean) {
  const [engine, setEngine] = useState<Engine | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!kind || !cached) return;
    const client = new InferenceClient();
    let live = true;
    const threads = Number(new URLSearchParams(self.location.search).get('threads')) || undefined;
    client.init(kind, forced() === 'wasm', threads).then(
      (info) => live && setEngine({ client, info }),
      (err: Error) => live && setError(err.message),
    );
    return () => {
      live = false;
      client.terminate();
      setEngine(null);
    };
  }, [kind, cached]);
  return { engine, error };
}

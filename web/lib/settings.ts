// User settings kept on this device.
import { useCallback, useSyncExternalStore } from 'react';

export interface Settings {
  /** Send an image to the server automatically when the device cannot analyse it. Off by default. */
  autoServer: boolean;
  /** Keep a small thumbnail with each history entry (scans can carry burned-in names). Off by default. */
  thumbnails: boolean;
}

export const DEFAULT_SETTINGS: Settings = { autoServer: false, thumbnails: false };
const KEY = 'bigbrain.settings';
const listeners = new Set<() => void>();
let cached: { raw: string | null; value: Settings } | null = null;

function read(): Settings {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    /* private mode */
  }
  if (cached && cached.raw === raw) return cached.value;
  let value = DEFAULT_SETTINGS;
  try {
    value = { ...DEFAULT_SETTINGS, ...(raw ? (JSON.parse(raw) as Partial<Settings>) : {}) };
  } catch {
    /* corrupt: defaults */
  }
  cached = { raw, value };
  return value;
}

export function useSettings(): [Settings, (patch: Partial<Settings>) => void] {
  const settings = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    read,
    () => DEFAULT_SETTINGS,
  );
  const update = useCallback((patch: Partial<Settings>) => {
    try {
      localStorage.setItem(KEY, JSON.stringify({ ...read(), ...patch }));
    } catch {
      /* private mode */
    }
    for (const l of listeners) l();
  }, []);
  return [settings, update];
}

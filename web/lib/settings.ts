// User settings kept on this device.
import { useCallback, useSyncExternalStore } from 'react';

export interface Settings {
  /** Send an image to the server automatically when the device cannot analyse it. Off by default. */
  autoServer: boolean;
  /** Keep a small thumbnail with each history entry (scans can carry burned-in names). Off by default. */
  thumbnails: boolean;
  /** Display: follow the device's prefers-color-scheme, or light / dark (reading rooms) whatever it says. */
  theme: Theme;
}

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

export const DEFAULT_SETTINGS: Settings = { autoServer: false, thumbnails: false, theme: 'system' };
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
    if (!THEMES.includes(value.theme)) value = { ...value, theme: DEFAULT_SETTINGS.theme };
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

/** The scheme shown: the setting, or the device's preference when the setting follows it. */
export function useColourScheme(theme: Theme): 'light' | 'dark' {
  const prefersDark = useSyncExternalStore(
    (cb) => {
      const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
      mq?.addEventListener('change', cb);
      return () => mq?.removeEventListener('change', cb);
    },
    () => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches,
    () => false,
  );
  return theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme;
}

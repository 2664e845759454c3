// Fixed-window counters: at most `max` events per window; the count starts again when the window ends,
// so every lock-out expires on its own. Two stores: in memory (per instance) and in the database (shared).
import type { Limit } from '../config.ts';

export interface Count {
  count: number;
  resetAt: Date;
}

export interface Counter {
  /** The current count of key (0 when its window is over), without counting. */
  peek(key: string, limit: Limit, now: Date): Promise<Count>;
  /** Counts one event and returns the new count. */
  hit(key: string, limit: Limit, now: Date): Promise<Count>;
  /** Forgets key (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/** Seconds until the window ends, for Retry-After (at least 1). */
export const retryAfterSeconds = ({ resetAt }: Count, now: Date): number =>
  Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));

export const isOver = (count: Count, limit: Limit): boolean => limit.max > 0 && count.count >= limit.max;

/** Per-process counters (the /detect limit). Expired entries are swept as the map grows. */
export function memoryCounter(maxKeys = 100_000): Counter {
  const windows = new Map<string, Count>();
  const current = (key: string, now: Date): Count | undefined => {
    const w = windows.get(key);
    if (w && w.resetAt.getTime() > now.getTime()) return w;
    if (w) windows.delete(key);
    return undefined;
  };
  return {
    async peek(key, _limit, now) {
      return current(key, now) ?? { count: 0, resetAt: now };
    },
    async hit(key, limit, now) {
      let w = current(key, now);
      if (!w) {
        if (windows.size >= maxKeys) for (const k of [...windows.keys()]) current(k, now);
        w = { count: 0, resetAt: new Date(now.getTime() + limit.windowMs) };
        windows.set(key, w);
      }
      w.count++;
      return { ...w };
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

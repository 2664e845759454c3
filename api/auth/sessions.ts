// Sessions: created at login, validated on every request (renewed in their second half), revoked at logout.
import type { Queryable } from '../db/types.ts';
import { generateSessionToken, sessionIdOf } from './token.ts';

const DAY = 86_400_000;

export interface User {
  id: string;
  email: string;
  createdAt: Date;
}

export interface Session {
  id: string;
  userId: string;
  expiresAt: Date;
}

export interface SessionStore {
  /** Returns the token to hand to the client (never stored) and the stored session. */
  create(userId: string): Promise<{ token: string; session: Session }>;
  validate(token: string): Promise<{ session: Session; user: User } | null>;
  revoke(sessionId: string): Promise<void>;
  revokeAllOf(userId: string): Promise<void>;
}

/** Most sessions remembered at once; the oldest is forgotten first. */
const CACHE_ENTRIES = 10_000;

/**
 * cacheMs > 0: a validated session is trusted from memory for that long, so a busy client costs one
 * lookup per window, not one per request. Revocation through this store takes effect at once here;
 * one made by another instance is seen here within cacheMs.
 */
export function createSessionStore(
  db: Queryable,
  { days = 30, cacheMs = 0, now = () => new Date() }: { days?: number; cacheMs?: number; now?: () => Date } = {},
): SessionStore {
  const lifetime = days * DAY;
  const cache = new Map<string, { found: { session: Session; user: User }; until: number }>();
  // One lookup per session at a time: a burst of requests with one token (a client starting its load)
  // shares it instead of opening a database connection each.
  const inflight = new Map<string, Promise<{ session: Session; user: User } | null>>();
  // Bumped when a revocation has committed: a lookup that overlapped one does not go into the cache.
  let epoch = 0;
  const forgetUser = (userId: string) => {
    for (const [id, e] of cache) if (e.found.user.id === userId) cache.delete(id);
  };

  const lookup = async (id: string, t: number): Promise<{ session: Session; user: User } | null> => {
    const [row] = await db.query<{ expires_at: Date; user_id: string; email: string; created_at: Date }>(
      `select s.expires_at, s.user_id, u.email, u.created_at
         from sessions s join users u on u.id = s.user_id where s.id = $1`, [id]);
    if (!row) return null;
    const session: Session = { id, userId: row.user_id, expiresAt: new Date(row.expires_at) };
    if (t >= session.expiresAt.getTime()) {
      await db.query('delete from sessions where id = $1', [id]);
      return null;
    }
    if (t >= session.expiresAt.getTime() - lifetime / 2) {
      session.expiresAt = new Date(t + lifetime);
      await db.query('update sessions set expires_at = $2 where id = $1', [id, session.expiresAt]);
    }
    return { session, user: { id: row.user_id, email: row.email, createdAt: new Date(row.created_at) } };
  };

  return {
    async create(userId) {
      const token = generateSessionToken();
      const session = { id: sessionIdOf(token), userId, expiresAt: new Date(now().getTime() + lifetime) };
      await db.query('insert into sessions (id, user_id, expires_at, created_at) values ($1, $2, $3, $4)', [session.id, userId, session.expiresAt, now()]);
      return { token, session };
    },
    async validate(token) {
      if (!/^[a-z2-7]{32}$/.test(token)) return null;
      const id = sessionIdOf(token);
      const t = now().getTime();
      const hit = cache.get(id);
      if (hit && t < hit.until && t < hit.found.session.expiresAt.getTime()) return hit.found;
      cache.delete(id);
      const running = inflight.get(id);
      if (running) return running;
      const before = epoch;
      const pending = lookup(id, t).finally(() => inflight.delete(id));
      inflight.set(id, pending);
      const found = await pending;
      if (found && cacheMs > 0 && before === epoch) {
        cache.set(id, { found, until: t + cacheMs });
        if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
      }
      return found;
    },
    // Forgotten before the delete (no cached answer while it runs) and after it: a lookup that read the row
    // before the delete committed is dropped if it ended first, and not cached if it ends later (epoch).
    async revoke(sessionId) {
      cache.delete(sessionId);
      await db.query('delete from sessions where id = $1', [sessionId]);
      epoch++;
      cache.delete(sessionId);
    },
    async revokeAllOf(userId) {
      forgetUser(userId);
      await db.query('delete from sessions where user_id = $1', [userId]);
      epoch++;
      forgetUser(userId);
    },
  };
}

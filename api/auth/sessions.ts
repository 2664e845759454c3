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

export function createSessionStore(db: Queryable, { days = 30, now = () => new Date() }: { days?: number; now?: () => Date } = {}): SessionStore {
  const lifetime = days * DAY;
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
      const [row] = await db.query<{ expires_at: Date; user_id: string; email: string; created_at: Date }>(
        `select s.expires_at, s.user_id, u.email, u.created_at
           from sessions s join users u on u.id = s.user_id where s.id = $1`, [id]);
      if (!row) return null;
      const t = now().getTime();
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
    },
    async revoke(sessionId) {
      await db.query('delete from sessions where id = $1', [sessionId]);
    },
    async revokeAllOf(userId) {
      await db.query('delete from sessions where user_id = $1', [userId]);
    },
  };
}

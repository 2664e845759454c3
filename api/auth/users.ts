// Accounts. The unique index on email decides sign-up races: exactly one insert wins.
import type { Queryable } from '../db/types.ts';
import type { User } from './sessions.ts';

export interface UserWithHash extends User {
  passwordHash: string;
}

type Row = { id: string; email: string; created_at: Date; password_hash: string };
const toUser = (r: Row): UserWithHash => ({ id: r.id, email: r.email, createdAt: new Date(r.created_at), passwordHash: r.password_hash });

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Inserts the account; null when the email is already taken (also when another request just took it). */
export async function insertUser(db: Queryable, email: string, passwordHash: string): Promise<UserWithHash | null> {
  const [row] = await db.query<Row>(
    `insert into users (email, password_hash) values ($1, $2)
     on conflict (email) do nothing returning id, email, created_at, password_hash`, [email, passwordHash]);
  return row ? toUser(row) : null;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserWithHash | null> {
  const [row] = await db.query<Row>('select id, email, created_at, password_hash from users where email = $1', [email]);
  return row ? toUser(row) : null;
}

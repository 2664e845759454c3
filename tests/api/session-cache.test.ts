// The session cache: a busy client costs one lookup per window; revocation here is immediate, a session
// deleted by another instance is refused once the window has passed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../api/auth/sessions.ts';
import { openPglite } from '../../api/db/pglite.ts';
import { migrate } from '../../api/db/migrate.ts';
import type { Db, Queryable } from '../../api/db/types.ts';

describe('session store with a cache', () => {
  let db: Db;
  let clock = Date.UTC(2026, 5, 1);
  const seen: string[] = [];
  const counting: Queryable = { query: (sql, params) => { seen.push(sql.trim().split(/\s+/)[0]!.toLowerCase()); return db.query(sql, params); } };
  const lookups = () => seen.filter((s) => s === 'select').length;
  const store = createSessionStore(counting, { cacheMs: 2000, now: () => new Date(clock) });
  let elsewhere: ReturnType<typeof createSessionStore>; // "another instance" on the same database
  let userId: string;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    elsewhere = createSessionStore(db, { now: () => new Date(clock) });
    const [row] = await db.query<{ id: string }>("insert into users (email, password_hash) values ('c@example.com', 'x') returning id");
    userId = row!.id;
  });
  afterAll(() => db.close());

  it('asks the database once per window, then again after it', async () => {
    const { token } = await store.create(userId);
    seen.length = 0;
    for (let i = 0; i < 5; i++) expect((await store.validate(token))?.user.id).toBe(userId);
    expect(lookups()).toBe(1);
    clock += 2001;
    expect(await store.validate(token)).not.toBeNull();
    expect(lookups()).toBe(2);
  });

  it('shares one lookup among a burst of requests with the same token', async () => {
    const { token } = await store.create(userId);
    clock += 2001;
    seen.length = 0;
    const all = await Promise.all(Array.from({ length: 20 }, () => store.validate(token)));
    expect(all.every((f) => f?.user.id === userId)).toBe(true);
    expect(lookups()).toBe(1);
  });

  it('forgets a session revoked through it at once', async () => {
    const { token, session } = await store.create(userId);
    expect(await store.validate(token)).not.toBeNull();
    await store.revoke(session.id);
    expect(await store.validate(token)).toBeNull();
  });

  it('forgets every session of a user signed out everywhere', async () => {
    const a = await store.create(userId);
    const b = await store.create(userId);
    expect(await store.validate(a.token)).not.toBeNull();
    expect(await store.validate(b.token)).not.toBeNull();
    await store.revokeAllOf(userId);
    expect(await store.validate(a.token)).toBeNull();
    expect(await store.validate(b.token)).toBeNull();
  });

  it('honours a revocation made by another instance within the window, not later', async () => {
    const { token, session } = await store.create(userId);
    expect(await store.validate(token)).not.toBeNull();
    await elsewhere.revoke(session.id);
    expect(await store.validate(token)).not.toBeNull(); // the documented staleness: at most cacheMs
    clock += 2001;
    expect(await store.validate(token)).toBeNull();
  });

  it('never serves a cached session past its expiry', async () => {
    const short = createSessionStore(db, { days: 1, cacheMs: 10 * 86_400_000, now: () => new Date(clock) });
    const { token } = await short.create(userId);
    expect(await short.validate(token)).not.toBeNull();
    clock += 86_400_000;
    expect(await short.validate(token)).toBeNull();
  });
});

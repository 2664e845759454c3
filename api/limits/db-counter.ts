// Counters in the database (table rate_limits), so a limit holds across several server instances.
// One upsert per hit: a window that has ended starts again at 1. Expired rows are swept now and then.
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.ts';
import type { Count, Counter } from './counter.ts';

const keyOf = (key: string): string => createHash('sha256').update(key).digest('hex');
type Row = { count: number; reset_at: Date };
const toCount = (r: Row): Count => ({ count: Number(r.count), resetAt: new Date(r.reset_at) });

export function dbCounter(db: Queryable, { sweepEvery = 500 } = {}): Counter {
  let hits = 0;
  return {
    async peek(key, _limit, now) {
      const [row] = await db.query<Row>('select count, reset_at from rate_limits where key = $1 and reset_at > $2', [keyOf(key), now]);
      return row ? toCount(row) : { count: 0, resetAt: now };
    },
    async hit(key, limit, now) {
      if (++hits % sweepEvery === 0) await db.query('delete from rate_limits where reset_at <= $1', [now]);
      const [row] = await db.query<Row>(
        `insert into rate_limits (key, count, reset_at) values ($1, 1, $3)
         on conflict (key) do update set
           count = case when rate_limits.reset_at <= $2 then 1 else rate_limits.count + 1 end,
           reset_at = case when rate_limits.reset_at <= $2 then excluded.reset_at else rate_limits.reset_at end
         returning count, reset_at`,
        [keyOf(key), now, new Date(now.getTime() + limit.windowMs)]);
      return toCount(row!);
    },
    async reset(key) {
      await db.query('delete from rate_limits where key = $1', [keyOf(key)]);
    },
  };
}

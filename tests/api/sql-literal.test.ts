// SQL literals (api/db/literal.ts) read back by a real PostgreSQL as exactly the value written, on every driver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../api/db/literal.ts';
import type { Db } from '../../api/db/types.ts';
import { drivers } from './drivers.ts';

const STRINGS = ["plain", "it's", "''", "\\", "a\\'b", "\\'; drop table users; --", "E'x'", "$1", "$$ dollar $$", "naïve à 東京 🧠", "line\nbreak\ttab\r", ""];
const NUMBERS = [0, -0, 1, -1, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 1e-7, 123456789012345, -2.5e-12];

describe.each(drivers)('sqlLiteral on $name', (driver) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ db, dispose } = await driver.open()));
  afterAll(() => dispose());

  it('reads every string back byte for byte, quotes and backslashes included', async () => {
    for (const s of STRINGS) {
      const [row] = await db.query<{ v: string }>(`select ${sqlLiteral(s)}::text as v`);
      expect(row!.v).toBe(s);
    }
  });

  it('reads every number back as the same double', async () => {
    for (const n of NUMBERS) {
      const [row] = await db.query<{ v: number }>(`select ${sqlLiteral(n)}::float8 as v`);
      expect(Number(row!.v)).toBe(n === 0 ? 0 : n);
    }
  });

  it('writes null, booleans and dates as PostgreSQL reads them', async () => {
    const at = new Date('2026-12-01T13:42:20.123Z');
    const [row] = await db.query<{ n: null; t: boolean; f: boolean; d: Date | string }>(
      `select ${sqlLiteral(null)}::text as n, ${sqlLiteral(true)} as t, ${sqlLiteral(false)} as f, ${sqlLiteral(at)}::timestamptz as d`,
    );
    expect(row!.n).toBeNull();
    expect(row!.t).toBe(true);
    expect(row!.f).toBe(false);
    expect(new Date(row!.d).toISOString()).toBe(at.toISOString());
  });

  it('keeps backslashes literal whatever standard_conforming_strings says', async () => {
    await db.transaction(async (tx) => {
      await tx.query('set local standard_conforming_strings = off');
      for (const s of STRINGS) {
        const [row] = await tx.query<{ v: string }>(`select ${sqlLiteral(s)}::text as v`);
        expect(row!.v).toBe(s);
      }
    });
  });
});

describe('sqlLiteral refuses what PostgreSQL cannot hold', () => {
  it('refuses NUL characters and non-finite numbers', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
    for (const n of [NaN, Infinity, -Infinity]) expect(() => sqlLiteral(n)).toThrow(/finite/);
  });
});

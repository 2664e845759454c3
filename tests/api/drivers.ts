// The database drivers every storage suite runs against: PGlite always; the Neon driver → a real
// PostgreSQL (through the local WebSocket proxy) when TEST_POSTGRES_URL is set. Under CI=true a missing
// PostgreSQL fails instead of skipping.
import { randomBytes } from 'node:crypto';
import { openNeon } from '../../api/db/neon.ts';
import { openPglite } from '../../api/db/pglite.ts';
import { migrate } from '../../api/db/migrate.ts';
import { openDb } from '../../api/db/open.ts';
import type { Db } from '../../api/db/types.ts';
import { startWsProxy, type WsProxy } from './ws-proxy.ts';
import { available } from '../support/skip.ts';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL;

export interface Driver {
  name: 'pglite' | 'neon→postgres';
  /** A fresh, migrated, empty database; dispose drops it. */
  open(): Promise<{ db: Db; dispose(): Promise<void> }>;
}

const pglite: Driver = {
  name: 'pglite',
  async open() {
    const db = await openPglite();
    await migrate(db);
    return { db, dispose: () => db.close() };
  },
};

let proxy: Promise<WsProxy> | undefined;
const sharedProxy = () => (proxy ??= startWsProxy());

/** A fresh, migrated PostgreSQL database (through the local WebSocket proxy, or `wsProxy`), and its URL. */
export async function postgresDatabase(wsProxy?: string): Promise<{ db: Db; url: string; wsProxy: string; dispose(): Promise<void> }> {
  const address = wsProxy ?? (await sharedProxy()).address;
  const admin = await openNeon(POSTGRES_URL!, { wsProxy: address, max: 1 });
  const name = `bigbrain_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(POSTGRES_URL!);
  url.pathname = `/${name}`;
  // Through openDb, as the server does with DATABASE_URL + DATABASE_WS_PROXY.
  const db = await openDb({ databaseUrl: url.toString(), databaseWsProxy: address, dataDir: '' });
  return {
    db,
    url: url.toString(),
    wsProxy: address,
    async dispose() {
      await db.close().catch(() => {});
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

const postgres: Driver = { name: 'neon→postgres', open: () => postgresDatabase() };

export const drivers: Driver[] = POSTGRES_URL ? [pglite, postgres] : [pglite];

available(!!POSTGRES_URL, 'a PostgreSQL server: set TEST_POSTGRES_URL (e.g. postgres://bigbrain:bigbrain@127.0.0.1:5432/bigbrain); .ci/run does');

// Picks the driver from the configuration: DATABASE_URL → Neon/Postgres, otherwise embedded PGlite.
import type { Config } from '../config.ts';
import { migrate } from './migrate.ts';
import type { Db } from './types.ts';

export async function openDb(config: Pick<Config, 'databaseUrl' | 'databaseWsProxy' | 'dataDir'>): Promise<Db> {
  const db = config.databaseUrl
    ? await (await import('./neon.ts')).openNeon(config.databaseUrl, { wsProxy: config.databaseWsProxy })
    : await (await import('./pglite.ts')).openPglite(config.dataDir);
  await migrate(db);
  return db;
}

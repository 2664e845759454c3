// Production driver: @neondatabase/serverless Pool (node-postgres over WebSocket).
// For a plain Postgres (development, CI) point wsProxy at a WebSocket→TCP proxy.
import { neonConfig, Pool } from '@neondatabase/serverless';
import ws from 'ws';
import type { Db, Queryable } from './types.ts';

export interface NeonOptions {
  /** host:port/path of a WebSocket proxy, without protocol; `?address=host:port` is appended. */
  wsProxy?: string;
  max?: number;
  /** How long a request waits for a new connection before the database counts as down. */
  connectTimeoutMs?: number;
}

export async function openNeon(connectionString: string, { wsProxy, max = 10, connectTimeoutMs = 5000 }: NeonOptions = {}): Promise<Db> {
  neonConfig.webSocketConstructor = ws;
  if (wsProxy) {
    // A local proxy speaks plain ws:// and relays to a Postgres that may not accept cleartext passwords.
    neonConfig.wsProxy = wsProxy;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.forceDisablePgSSL = true;
  }
  // An unreachable database fails a request within connectTimeoutMs (→ 503) instead of hanging it.
  const pool = new Pool({ connectionString, max, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client that loses its socket must not crash the process.
  pool.on('error', (err: Error) => console.error('[db] idle connection error:', err.message));
  const query = async <T>(sql: string, params: unknown[] = [], on: { query: Pool['query'] } = pool): Promise<T[]> => {
    try {
      return (await on.query(sql, params)).rows as T[];
    } catch (err) {
      throw asError(err);
    }
  };
  await query('select 1');
  return {
    driver: 'neon',
    query,
    async transaction(fn) {
      const client = await pool.connect().catch((err: unknown) => { throw asError(err); });
      const tx: Queryable = { query: (sql, params) => query(sql, params, client as unknown as { query: Pool['query'] }) };
      try {
        await client.query('begin');
        const out = await fn(tx);
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * A failed WebSocket connect rejects with the socket's ErrorEvent, not an Error; Hono hands only Errors to
 * the app's error handler (anything else would be a bare 500), so it becomes one that keeps the message.
 */
export function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  const e = err as { message?: unknown; error?: unknown };
  if (e?.error instanceof Error) return e.error;
  return new Error(typeof e?.message === 'string' && e.message ? e.message : 'WebSocket connection to the database failed');
}

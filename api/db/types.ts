// The one small query interface both drivers implement: SQL with $1 parameters in, rows out.
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly driver: 'pglite' | 'neon';
  /** Runs fn on one connection inside BEGIN … COMMIT (ROLLBACK when fn throws). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Postgres unique_violation. */
export const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';

/** The database cannot be reached (connection refused/lost, server shutting down, embedded instance closed). */
export function isDatabaseDown(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE)$/.test(code) || /^(08|57P0)/.test(code))) return true;
  return typeof message === 'string' && /PGlite is closed|Connection terminated|connect ECONNREFUSED|WebSocket|timeout exceeded when trying to connect/i.test(message);
}

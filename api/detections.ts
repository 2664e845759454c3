// Detection history: results only (label, probabilities, model, image hash), never the image.
import { randomUUID } from 'node:crypto';
import { sqlLiteral } from './db/literal.ts';
import type { Queryable } from './db/types.ts';
import type { Detection } from './schemas.ts';

export interface DetectionInput {
  userId: string;
  clientId: string | null;
  source: 'server' | 'device';
  createdAt?: Date;
  result: Detection['result'];
  /** label, probabilities and tumorProbability are null exactly when result is "Not a brain MRI" (migration 003). */
  label: Detection['label'];
  probabilities: Detection['probabilities'];
  tumorProbability: number | null;
  uncertain: boolean;
  model: { name: string; version: string };
  imageSha256: string | null;
  ms: number | null;
}

type Row = {
  id: string; client_id: string | null; source: 'server' | 'device'; created_at: Date; result: Detection['result']; label: Detection['label'];
  probabilities: Detection['probabilities'] | string; tumor_probability: number | null; uncertain: boolean;
  model_name: string; model_version: string; image_sha256: string | null; ms: number | null;
};

const COLUMNS = 'id, client_id, source, created_at, result, label, probabilities, tumor_probability, uncertain, model_name, model_version, image_sha256, ms';

const toDetection = (r: Row): Detection => ({
  id: r.id,
  clientId: r.client_id,
  source: r.source,
  createdAt: new Date(r.created_at).toISOString(),
  result: r.result,
  label: r.label,
  probabilities: typeof r.probabilities === 'string' ? JSON.parse(r.probabilities) : r.probabilities,
  tumorProbability: r.tumor_probability === null ? null : Number(r.tumor_probability),
  uncertain: r.uncertain,
  model: { name: r.model_name, version: r.model_version },
  imageSha256: r.image_sha256,
  ms: r.ms === null ? null : Number(r.ms),
});

const INSERT_COLUMNS = 'id, user_id, client_id, source, created_at, result, label, probabilities, tumor_probability, uncertain, model_name, model_version, image_sha256, ms';

/** One row of an insert as literals (see db/literal.ts for why no parameters). */
function tupleOf(id: string, d: DetectionInput): string {
  const l = sqlLiteral;
  const createdAt = d.createdAt ? `${l(d.createdAt)}::timestamptz` : "date_trunc('milliseconds', now())";
  const probabilities = d.probabilities ? `${l(JSON.stringify(d.probabilities))}::jsonb` : 'null';
  return `(${l(id)}::uuid, ${l(d.userId)}::uuid, ${l(d.clientId)}, ${l(d.source)}, ${createdAt}, ${l(d.result)}, ${l(d.label)}, ${probabilities}, ` +
    `${l(d.tumorProbability)}::float8, ${l(d.uncertain)}, ${l(d.model.name)}, ${l(d.model.version)}, ${l(d.imageSha256)}, ${l(d.ms)}::float8)`;
}

/** Inserts; with a client id already used by this user, returns the stored one and created = false. */
export async function saveDetection(db: Queryable, d: DetectionInput): Promise<{ detection: Detection; created: boolean }> {
  const [row] = await db.query<Row>(
    `insert into detections (${INSERT_COLUMNS}) values ${tupleOf(randomUUID(), d)}
     on conflict (user_id, client_id) do nothing returning ${COLUMNS}`,
  );
  if (row) return { detection: toDetection(row), created: true };
  const [existing] = await db.query<Row>(`select ${COLUMNS} from detections where user_id = $1 and client_id = $2`, [d.userId, d.clientId]);
  if (!existing) throw new Error('detection vanished after a conflicting insert');
  return { detection: toDetection(existing), created: false };
}

/**
 * One multi-row insert of server detections (no client id: nothing to conflict on). Only id and created_at come
 * back: the rest is what was inserted, and reading whole rows back (jsonb, timestamps) cost twice the insert.
 */
async function insertMany(db: Queryable, items: Array<{ id: string; d: DetectionInput }>): Promise<Map<string, Detection>> {
  const tuples = items.map(({ id, d }) => tupleOf(id, d));
  const rows = await db.query<{ id: string; created_at: Date | string }>(`insert into detections (${INSERT_COLUMNS}) values ${tuples.join(', ')} returning id, created_at`);
  const createdAt = new Map(rows.map((r) => [r.id, new Date(r.created_at).toISOString()]));
  const out = new Map<string, Detection>();
  for (const { id, d } of items) {
    const at = createdAt.get(id);
    if (!at) continue;
    out.set(id, {
      id, clientId: null, source: d.source, createdAt: at, result: d.result, label: d.label, probabilities: d.probabilities,
      tumorProbability: d.tumorProbability, uncertain: d.uncertain, model: { name: d.model.name, version: d.model.version },
      imageSha256: d.imageSha256, ms: d.ms,
    });
  }
  return out;
}

export interface DetectionLog {
  /** Stores one server detection; resolves once its row is committed. */
  save(d: DetectionInput & { clientId: null }): Promise<Detection>;
  /**
   * Says a row is on its way (a /detect request still being analysed): rows already queued wait for it, up to
   * maxWaitMs, so more of them share one insert. Call the returned function when that request is about to save
   * (or will not: it failed).
   */
  coming(): () => void;
}

/**
 * Group commit for /detect: rows that arrive in the same turn of the event loop, or while an insert is in
 * flight, go together in one statement (one WAL flush) — under load answers come back from the detect
 * worker in bursts — and while other requests are still being analysed, a queued row waits for them up to
 * maxWaitMs; a lone row waits only for the end of the current turn.
 * Every caller still gets its answer only after its own row is committed. A failing group is retried row
 * by row, so one bad row fails only its own request.
 */
export function createDetectionLog(db: Queryable, { maxRows = 64, maxWaitMs = 1 }: { maxRows?: number; maxWaitMs?: number } = {}): DetectionLog {
  type Job = { id: string; d: DetectionInput; resolve(x: Detection): void; reject(e: unknown): void };
  const queue: Job[] = [];
  let running = false;
  let scheduled = false;
  let timer: NodeJS.Timeout | null = null;
  let expected = 0;

  const run = async (group: Job[]) => {
    try {
      const stored = await insertMany(db, group);
      for (const j of group) {
        const row = stored.get(j.id);
        if (row) j.resolve(row);
        else j.reject(new Error('an inserted detection was not returned'));
      }
    } catch (err) {
      if (group.length === 1) return group[0]!.reject(err);
      for (const j of group) await run([j]);
    }
  };

  const drain = async () => {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) await run(queue.splice(0, maxRows));
    } finally {
      running = false;
    }
  };

  // PGlite answers synchronously: without this turn's wait no other row could ever join.
  const flushSoon = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void drain();
    });
  };

  const consider = () => {
    if (running || queue.length === 0) return; // drain() picks the queue up when the insert in flight ends
    if (expected === 0 || queue.length >= maxRows || maxWaitMs <= 0) flushSoon();
    else timer ??= setTimeout(flushSoon, maxWaitMs);
  };

  return {
    save: (d) => new Promise<Detection>((resolve, reject) => {
      queue.push({ id: randomUUID(), d, resolve, reject });
      consider();
    }),
    coming: () => {
      expected++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        expected--;
        consider();
      };
    },
  };
}

export interface Cursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (c: Cursor): string => Buffer.from(`${c.createdAt}|${c.id}`).toString('base64url');

export function decodeCursor(s: string): Cursor | null {
  const [createdAt, id, ...rest] = Buffer.from(s, 'base64url').toString().split('|');
  if (!createdAt || !id || rest.length || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) return null;
  return { createdAt, id };
}

/** One page of a user's detections, newest first; nextCursor continues after the last item. */
export async function listDetections(db: Queryable, userId: string, limit: number, after: Cursor | null): Promise<{ items: Detection[]; nextCursor: string | null }> {
  const rows = await db.query<Row>(
    `select ${COLUMNS} from detections
      where user_id = $1 and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
      order by created_at desc, id desc limit $4`,
    [userId, after?.createdAt ?? null, after?.id ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map(toDetection);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}

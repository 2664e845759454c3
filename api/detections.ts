// Detection history: results only (label, probabilities, model, image hash), never the image.
import type { Queryable } from './db/types.ts';
import type { Detection } from './schemas.ts';

export interface DetectionInput {
  userId: string;
  clientId: string | null;
  source: 'server' | 'device';
  createdAt?: Date;
  result: string;
  label: string;
  probabilities: Record<string, number>;
  tumorProbability: number;
  uncertain: boolean;
  model: { name: string; version: string };
  imageSha256: string | null;
  ms: number | null;
}

type Row = {
  id: string; client_id: string | null; source: 'server' | 'device'; created_at: Date; result: string; label: string;
  probabilities: Detection['probabilities'] | string; tumor_probability: number; uncertain: boolean;
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
  tumorProbability: Number(r.tumor_probability),
  uncertain: r.uncertain,
  model: { name: r.model_name, version: r.model_version },
  imageSha256: r.image_sha256,
  ms: r.ms === null ? null : Number(r.ms),
});

/** Inserts; with a client id already used by this user, returns the stored one and created = false. */
export async function saveDetection(db: Queryable, d: DetectionInput): Promise<{ detection: Detection; created: boolean }> {
  const [row] = await db.query<Row>(
    `insert into detections (user_id, client_id, source, created_at, result, label, probabilities, tumor_probability,
                             uncertain, model_name, model_version, image_sha256, ms)
     values ($1, $2, $3, coalesce($4::timestamptz, date_trunc('milliseconds', now())), $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)
     on conflict (user_id, client_id) do nothing
     returning ${COLUMNS}`,
    [d.userId, d.clientId, d.source, d.createdAt ?? null, d.result, d.label, JSON.stringify(d.probabilities),
      d.tumorProbability, d.uncertain, d.model.name, d.model.version, d.imageSha256, d.ms],
  );
  if (row) return { detection: toDetection(row), created: true };
  const [existing] = await db.query<Row>(`select ${COLUMNS} from detections where user_id = $1 and client_id = $2`, [d.userId, d.clientId]);
  if (!existing) throw new Error('detection vanished after a conflicting insert');
  return { detection: toDetection(existing), created: false };
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

// Series history: one row per series read by POST /api/series — the verdict, never patient data or file names;
// the Series Instance UID only as its SHA-256 (migration 005).
import { createHash } from 'node:crypto';
import type { Queryable } from './db/types.ts';
import type { SeriesAnswer } from '../models/node/series.ts';

export interface SeriesRow {
  id: string;
  createdAt: string;
  seriesUidSha256: string;
  description: string;
  slices: number;
  counted: number;
  result: SeriesAnswer['result'];
  tumorProbability: number | null;
  label: string | null;
  uncertain: boolean;
  outside: Record<string, number>;
  model: { name: string; version: string };
  ms: number | null;
}

type Row = {
  id: string; created_at: Date; series_uid_sha256: string; description: string; slices: number; counted: number; result: SeriesAnswer['result'];
  tumor_probability: number | null; label: string | null; uncertain: boolean; outside: Record<string, number> | string; model_name: string; model_version: string; ms: number | null;
};
const COLUMNS = 'id, created_at, series_uid_sha256, description, slices, counted, result, tumor_probability, label, uncertain, outside, model_name, model_version, ms';

const toRow = (r: Row): SeriesRow => ({
  id: r.id,
  createdAt: new Date(r.created_at).toISOString(),
  seriesUidSha256: r.series_uid_sha256,
  description: r.description,
  slices: Number(r.slices),
  counted: Number(r.counted),
  result: r.result,
  tumorProbability: r.tumor_probability === null ? null : Number(r.tumor_probability),
  label: r.label,
  uncertain: r.uncertain,
  outside: typeof r.outside === 'string' ? JSON.parse(r.outside) : r.outside,
  model: { name: r.model_name, version: r.model_version },
  ms: r.ms === null ? null : Number(r.ms),
});

export const seriesUidHash = (uid: string) => createHash('sha256').update(uid).digest('hex');

/** One insert for all the series of a request; rows come back in the answers' order. */
export async function saveSeriesResults(db: Queryable, userId: string, answers: readonly SeriesAnswer[], ms: number | null): Promise<SeriesRow[]> {
  if (!answers.length) return [];
  const params: unknown[] = [];
  const tuples = answers.map((a, i) => {
    const at = params.length;
    params.push(userId, seriesUidHash(a.seriesInstanceUID), a.description.slice(0, 64), a.slices, a.counted, a.result, a.tumorProbability, a.label,
      a.uncertain, JSON.stringify(a.outside), a.model.name, a.model.version, ms, i);
    const p = (k: number) => `$${at + k}`;
    return `(${p(1)}::uuid, ${p(2)}, ${p(3)}, ${p(4)}::int, ${p(5)}::int, ${p(6)}, ${p(7)}::float8, ${p(8)}, ${p(9)}::boolean, ${p(10)}::jsonb, ${p(11)}, ${p(12)}, ${p(13)}::float8, ${p(14)}::int)`;
  });
  const rows = await db.query<Row & { ord: number }>(
    `with input (user_id, series_uid_sha256, description, slices, counted, result, tumor_probability, label, uncertain, outside, model_name, model_version, ms, ord) as (values ${tuples.join(', ')}),
     inserted as (
       insert into series_results (user_id, series_uid_sha256, description, slices, counted, result, tumor_probability, label, uncertain, outside, model_name, model_version, ms)
       select user_id, series_uid_sha256, description, slices, counted, result, tumor_probability, label, uncertain, outside, model_name, model_version, ms from input order by ord
       returning ${COLUMNS}
     )
     select ${COLUMNS} from inserted`,
    params,
  );
  // Match rows back to answers by their hash and description (a request may repeat neither: one row per series UID).
  const out = answers.map((a) => rows.find((r) => r.series_uid_sha256 === seriesUidHash(a.seriesInstanceUID) && r.description === a.description.slice(0, 64)));
  if (out.some((r) => !r)) throw new Error('an inserted series row was not returned');
  return out.map((r) => toRow(r!));
}

/** A user's series rows, newest first. */
export async function listSeriesResults(db: Queryable, userId: string, limit: number): Promise<SeriesRow[]> {
  const rows = await db.query<Row>(`select ${COLUMNS} from series_results where user_id = $1 order by created_at desc, id desc limit $2`, [userId, limit]);
  return rows.map(toRow);
}

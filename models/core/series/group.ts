// Slices → Study → Series by their UIDs, each series in order along the slice normal, whatever the file names or order.
import { orientationOfNormal, positionAlong, sliceNormal } from './geometry.ts';
import type { SeriesGroup, SeriesSlice } from './types.ts';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders one series' slices: by position along the slice normal when every slice has Image Position and
 * Orientation Patient (the normal of the series' first oriented slice, so a flipped cosine in one file cannot
 * reorder it), else by Instance Number when every slice has one, else by frame; ties by Instance Number, frame, id.
 */
export function orderSlices(slices: readonly SeriesSlice[]): SeriesSlice[] {
  const normal = sliceNormal(slices.find((s) => sliceNormal(s.meta.imageOrientation))?.meta.imageOrientation ?? null);
  const along = slices.map((s) => positionAlong(normal, s.meta.imagePosition));
  const byPosition = along.every((p) => p !== null) && new Set(along).size > 1;
  const byInstance = slices.every((s) => s.meta.instanceNumber !== null);
  const keyed = slices.map((s, i) => ({ s, p: along[i] ?? 0 }));
  keyed.sort((x, y) =>
    (byPosition ? x.p - y.p : 0)
    || (byInstance ? x.s.meta.instanceNumber! - y.s.meta.instanceNumber! : 0)
    || (x.s.frame ?? 0) - (y.s.frame ?? 0)
    || (x.s.meta.instanceNumber ?? 0) - (y.s.meta.instanceNumber ?? 0)
    || byText(x.s.id, y.s.id));
  return keyed.map((k) => k.s);
}

/** Study → Series by (Study, Series) Instance UID; studies by UID, series by Series Number then UID. */
export function groupIntoSeries(slices: readonly SeriesSlice[]): SeriesGroup[] {
  const groups = new Map<string, SeriesSlice[]>();
  for (const s of slices) {
    const key = `${s.meta.studyInstanceUid}\n${s.meta.seriesInstanceUid}`;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  const out = [...groups.values()].map((list): SeriesGroup & { number: number } => {
    const ordered = orderSlices(list);
    const first = ordered[0]!.meta;
    const oriented = ordered.find((s) => sliceNormal(s.meta.imageOrientation));
    return {
      studyInstanceUid: first.studyInstanceUid,
      seriesInstanceUid: first.seriesInstanceUid,
      description: ordered.find((s) => s.meta.seriesDescription)?.meta.seriesDescription ?? '',
      modality: first.modality,
      orientation: orientationOfNormal(sliceNormal(oriented?.meta.imageOrientation ?? null)),
      slices: ordered,
      number: ordered.find((s) => s.meta.seriesNumber !== null)?.meta.seriesNumber ?? Number.MAX_SAFE_INTEGER,
    };
  });
  out.sort((a, b) => byText(a.studyInstanceUid, b.studyInstanceUid) || a.number - b.number || byText(a.seriesInstanceUid, b.seriesInstanceUid));
  return out.map(({ number: _number, ...g }) => g);
}

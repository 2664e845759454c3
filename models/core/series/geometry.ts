// Slice geometry from Image Orientation / Position Patient (PS3.3 C.7.6.2.1.1): the normal, the place along it.
import type { Orientation } from './types.ts';

type Vec = [number, number, number];

/** The unit slice normal (row × column direction cosines); null when the orientation is missing or degenerate. */
export function sliceNormal(iop: readonly number[] | null): Vec | null {
  if (!iop || iop.length < 6 || iop.slice(0, 6).some((v) => !Number.isFinite(v))) return null;
  const [a, b, c, d, e, f] = iop as [number, number, number, number, number, number];
  const n: Vec = [b * f - c * e, c * d - a * f, a * e - b * d];
  const len = Math.hypot(...n);
  return len > 1e-6 ? [n[0] / len, n[1] / len, n[2] / len] : null;
}

/** The normal's dominant patient axis: x → sagittal, y → coronal, z → axial. */
export function orientationOfNormal(n: Vec | null): Orientation | null {
  if (!n) return null;
  const abs = n.map(Math.abs);
  const axis = abs.indexOf(Math.max(...abs));
  return axis === 0 ? 'sagittal' : axis === 1 ? 'coronal' : 'axial';
}

/** Image Position Patient projected on the normal (mm); null without both. */
export function positionAlong(n: Vec | null, ipp: readonly number[] | null): number | null {
  if (!n || !ipp || ipp.length < 3 || ipp.slice(0, 3).some((v) => !Number.isFinite(v))) return null;
  return n[0] * ipp[0]! + n[1] * ipp[1]! + n[2] * ipp[2]!;
}

// The evidence heat map: the tumour head's class-activation map, scaled to [0, 1] the one way every client
// shows it (the PWA's canvas and series viewer, the server's ?heatmap=1 and PNG overlay, the CLI's --heatmap).
// It says where the evidence was found, not where the tumour's outline is.
//
// Scaled by the tumour evidence, not stretched per image: the map's shape (min–max) times P(tumour). A min–max
// stretch alone gives every image a full-strength spot somewhere, so a confident No Tumor got a red wash over the
// brain; weighted by P(tumour), a slice at P = 0.02 peaks at 0.02 (nearly transparent) and one at P = 0.97 at 0.97.

export interface Heatmap {
  width: number;
  height: number;
  /** height × width values in [0, 1], row-major: the map's shape (0 its lowest activation) times P(tumour). */
  values: number[];
}

/** Min–max scaling of one map (a flat map is all 0): the shape only, without the evidence's strength. */
export function normaliseCam(cam: ArrayLike<number>): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < cam.length; i++) { lo = Math.min(lo, cam[i]!); hi = Math.max(hi, cam[i]!); }
  const span = hi - lo || 1;
  const out = new Float32Array(cam.length);
  for (let i = 0; i < cam.length; i++) out[i] = (cam[i]! - lo) / span;
  return out;
}

/**
 * The map as every client shows it: its shape weighted by P(tumour) (clamped to [0, 1]; null — no diagnosis — is 0,
 * an empty map). The highest value is P(tumour) itself.
 */
export function evidenceMap(cam: ArrayLike<number>, tumorProbability: number | null): Float32Array {
  const p = tumorProbability === null || !Number.isFinite(tumorProbability) ? 0 : Math.min(1, Math.max(0, tumorProbability));
  const out = normaliseCam(cam);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * p;
  return out;
}

/** The map as answers carry it: [height, width] as the model gives it, scaled by evidenceMap, rounded to 3 decimals. */
export function heatmapOf(cam: ArrayLike<number>, [height, width]: readonly [number, number], tumorProbability: number | null): Heatmap {
  if (cam.length !== width * height) throw new Error(`a ${width}×${height} map needs ${width * height} values, got ${cam.length}`);
  return { width, height, values: Array.from(evidenceMap(cam, tumorProbability), (v) => Math.round(v * 1000) / 1000) };
}

/** The overlay colour of one scaled value: yellow-to-red, more opaque where the evidence is stronger. */
export function heatColour(t: number): [r: number, g: number, b: number, a: number] {
  return [255, Math.round(200 * (1 - t)), 0, Math.round(170 * t)];
}

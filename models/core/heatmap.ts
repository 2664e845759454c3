// The evidence heat map: the tumour head's class-activation map, scaled to [0, 1] the one way every client
// shows it (the PWA's canvas, the server's ?heatmap=1 and PNG overlay, the CLI's --heatmap).
// It says where the evidence was found, not where the tumour's outline is.

export interface Heatmap {
  width: number;
  height: number;
  /** height × width values in [0, 1], row-major: 0 the map's lowest activation, 1 its highest. */
  values: number[];
}

/** Min–max scaling of one map (a flat map is all 0). */
export function normaliseCam(cam: ArrayLike<number>): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < cam.length; i++) { lo = Math.min(lo, cam[i]!); hi = Math.max(hi, cam[i]!); }
  const span = hi - lo || 1;
  const out = new Float32Array(cam.length);
  for (let i = 0; i < cam.length; i++) out[i] = (cam[i]! - lo) / span;
  return out;
}

/** The map as answers carry it: [height, width] as the model gives it, values rounded to 3 decimals. */
export function heatmapOf(cam: ArrayLike<number>, [height, width]: readonly [number, number]): Heatmap {
  if (cam.length !== width * height) throw new Error(`a ${width}×${height} map needs ${width * height} values, got ${cam.length}`);
  return { width, height, values: Array.from(normaliseCam(cam), (v) => Math.round(v * 1000) / 1000) };
}

/** The overlay colour of one scaled value: yellow-to-red, more opaque where the evidence is stronger. */
export function heatColour(t: number): [r: number, g: number, b: number, a: number] {
  return [255, Math.round(200 * (1 - t)), 0, Math.round(170 * t)];
}

// Drawing one slice for the viewer: the modality values through the display window (the viewer's, not the model's),
// then the evidence map over the square the model's crop was taken from. Pure enough to test without a canvas.
import { evidenceMap, heatColour } from '../../../models/core/heatmap.ts';
import type { Box } from '../../../models/core/preprocess.ts';
import type { SliceView } from '../../lib/dicom-info.ts';

export interface DisplayWindow {
  center: number;
  width: number;
}

/** Modality values → 8-bit grey through a linear window (MONOCHROME1 inverted), written as RGBA into `out`. */
export function windowInto(view: SliceView, w: DisplayWindow, out: Uint8ClampedArray): void {
  const { values, invert } = view;
  const lo = w.center - w.width / 2;
  const k = 255 / Math.max(1e-6, w.width);
  for (let i = 0, o = 0; i < values.length; i++, o += 4) {
    let g = (values[i]! - lo) * k;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    if (invert) g = 255 - g;
    out[o] = out[o + 1] = out[o + 2] = g;
    out[o + 3] = 255;
  }
}

/** The image square (x, y, side, in the slice's pixels) the model's 96 × 96 input covered: the crop box, centred in its longer side. */
export function cropSquare(crop: Box): { x: number; y: number; side: number } {
  const side = Math.max(crop.width, crop.height);
  return { x: crop.x - (side - crop.width) / 2, y: crop.y - (side - crop.height) / 2, side };
}

/** The evidence map as RGBA (camSize²), weighted by P(tumour). */
export function heatRgba(cam: Float32Array, camSize: number, tumorProbability: number | null): Uint8ClampedArray {
  const values = evidenceMap(cam, tumorProbability);
  const out = new Uint8ClampedArray(camSize * camSize * 4);
  for (let i = 0; i < camSize * camSize; i++) out.set(heatColour(values[i] ?? 0), 4 * i);
  return out;
}

/** MR has no fixed units: the presets are relative to the slice's own values and the window it was read with. */
export const PRESETS: Array<{ name: string; of: (v: SliceView) => DisplayWindow }> = [
  { name: 'As read', of: (v) => v.window },
  { name: 'Full range', of: (v) => ({ center: (v.min + v.max) / 2, width: Math.max(1, v.max - v.min) }) },
  { name: 'High contrast', of: (v) => ({ center: v.window.center, width: Math.max(1, v.window.width / 2) }) },
  { name: 'Low contrast', of: (v) => ({ center: v.window.center, width: v.window.width * 1.5 }) },
  { name: 'Bright tissue', of: (v) => ({ center: v.window.center + v.window.width / 4, width: Math.max(1, v.window.width / 2) }) },
];

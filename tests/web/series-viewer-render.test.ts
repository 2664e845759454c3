// The viewer's drawing arithmetic (web/features/series/viewer-render.ts): a linear display window over the modality
// values (clamped, MONOCHROME1 inverted), the square the model's crop covered, the presets relative to the slice.
import { describe, expect, it } from 'vitest';
import { evidenceMap, heatColour } from '../../models/core/heatmap.ts';
import { cropSquare, heatRgba, PRESETS, windowInto } from '../../web/features/series/viewer-render.ts';
import type { SliceView } from '../../web/lib/dicom-info.ts';

const view = (values: number[], over: Partial<SliceView> = {}): SliceView => ({
  width: values.length, height: 1, values: Int16Array.from(values), min: Math.min(...values), max: Math.max(...values),
  window: { center: 2040, width: 4080 }, invert: false, ...over,
});
const grey = (v: SliceView, w: { center: number; width: number }) => {
  const out = new Uint8ClampedArray(v.values.length * 4);
  windowInto(v, w, out);
  return Array.from({ length: v.values.length }, (_, i) => out[4 * i]!);
};

describe('series viewer: drawing', () => {
  it('windows 12-bit values linearly, clamped below and above, opaque grey', () => {
    const v = view([-100, 0, 1000, 2000, 4000, 5000]);
    expect(grey(v, { center: 2000, width: 4000 })).toEqual([0, 0, 64, 128, 255, 255]);
    expect(grey(v, { center: 1000, width: 2000 })).toEqual([0, 0, 128, 255, 255, 255]);
    const out = new Uint8ClampedArray(24);
    windowInto(v, { center: 2000, width: 4000 }, out);
    expect([out[8], out[9], out[10], out[11]]).toEqual([64, 64, 64, 255]);
  });

  it('MONOCHROME1: low values white; Float32 values (a rescale slope) alike', () => {
    expect(grey(view([0, 2000, 4000], { invert: true }), { center: 2000, width: 4000 })).toEqual([255, 128, 0]);
    const f: SliceView = { ...view([0]), values: Float32Array.of(0.5, 1.5, 2.5), min: 0.5, max: 2.5 };
    expect(grey(f, { center: 1.5, width: 2 })).toEqual([0, 128, 255]);
  });

  it('the crop square: the crop box centred in its longer side, as preprocess resamples it', () => {
    expect(cropSquare({ x: 20, y: 10, width: 200, height: 160 })).toEqual({ x: 20, y: -10, side: 200 });
    expect(cropSquare({ x: 30, y: 5, width: 100, height: 180 })).toEqual({ x: -10, y: 5, side: 180 });
  });

  it('the overlay is the shared evidence map in the shared colours (weighted by P(tumour))', () => {
    const cam = Float32Array.of(-1, 0, 1, 3);
    const rgba = heatRgba(cam, 2, 0.5);
    const m = evidenceMap(cam, 0.5);
    expect(Array.from(rgba.subarray(12, 16))).toEqual(heatColour(m[3]!));
    expect(Array.from(heatRgba(cam, 2, 0.02).filter((_, i) => i % 4 === 3))).toEqual([0, 1, 2, 3]);
  });

  it('presets relative to the slice: As read is its window, Full range its min–max, contrast halves or widens', () => {
    const v = view([0, 4095], { window: { center: 1000, width: 800 } });
    const by = Object.fromEntries(PRESETS.map((p) => [p.name, p.of(v)]));
    expect(by['As read']).toEqual({ center: 1000, width: 800 });
    expect(by['Full range']).toEqual({ center: 2047.5, width: 4095 });
    expect(by['High contrast']).toEqual({ center: 1000, width: 400 });
    expect(by['Low contrast']).toEqual({ center: 1000, width: 1200 });
    expect(by['Bright tissue']).toEqual({ center: 1200, width: 400 });
  });
});

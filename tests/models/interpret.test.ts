// The decision rule and the heat map, as every client gets them (models/core): a refused image carries nothing
// about tumours; the evidence map is scaled one way everywhere.
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../models/core/contract.ts';
import { evidenceMap, heatColour, heatmapOf, normaliseCam } from '../../models/core/heatmap.ts';
import { interpret, tumourProbabilityOf } from '../../models/core/interpret.ts';
import { DECISION, MODEL_INFO } from '../../models/core/model.ts';

const raw = (probabilities: number[], mriProbability = 0.99, colourfulness = 0) => ({ probabilities: Float32Array.from(probabilities), mriProbability, colourfulness });

describe('interpret', () => {
  it('a brain MRI gets a label, the four probabilities and P(tumour)', () => {
    const a = interpret(raw([0.05, 0.8, 0.05, 0.1]), DECISION, MODEL_INFO);
    expect(a).toMatchObject({ result: 'Tumor', label: 'meningioma', tumorProbability: 0.9, uncertain: false, model: MODEL_INFO });
    expect(Object.keys(a.probabilities ?? {})).toEqual([...LABELS]);
    const clear = interpret(raw([0.01, 0.01, 0.01, 0.97]), DECISION, MODEL_INFO);
    expect(clear).toMatchObject({ result: 'No Tumor', label: 'notumor', tumorProbability: 0.03 });
  });

  it('an image refused as not a brain MRI carries no label, no probabilities, no P(tumour), and is never "uncertain"', () => {
    // Outputs that would be "meningioma, P(tumour) 0.9, uncertain band" on an MRI: by the MRI head, and by colour.
    for (const r of [raw([0.05, 0.8, 0.05, 0.1], DECISION.mriThreshold / 2), raw([0.05, 0.8, 0.05, 0.1], 0.99, DECISION.maxColourfulness + 1), raw([0.2, 0.2, 0.1, 0.5], 0)]) {
      const a = interpret(r, DECISION, MODEL_INFO);
      expect(a).toEqual({ result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, mriProbability: expect.any(Number), uncertain: false, model: MODEL_INFO });
    }
  });

  it('tumourProbabilityOf is the P(tumour) answers carry (evaluation scores refused images by it too)', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    expect(tumourProbabilityOf(p)).toBe(0.6);
    expect(interpret(raw(p), DECISION, MODEL_INFO).tumorProbability).toBe(tumourProbabilityOf(Float32Array.from(p)));
  });
});

describe('the heat map', () => {
  it('min–max scales the class-activation map to [0, 1]; a flat map is all 0', () => {
    expect([...normaliseCam([-2, 0, 2, 6])]).toEqual([0, 0.25, 0.5, 1]);
    expect([...normaliseCam([3, 3, 3])]).toEqual([0, 0, 0]);
  });

  it('heatmapOf keeps the model\'s row-major [height, width] layout, rounded to 3 decimals', () => {
    const cam = Float32Array.from({ length: 6 }, (_, i) => i * i); // 2 rows × 3 columns
    expect(heatmapOf(cam, [2, 3], 1)).toEqual({ width: 3, height: 2, values: [0, 0.04, 0.16, 0.36, 0.64, 1] });
    expect(() => heatmapOf(cam, [3, 3], 1)).toThrow(/needs 9 values/);
  });

  it('is weighted by P(tumour), not stretched per image: a confident No Tumor shows almost nothing, its peak is P', () => {
    const cam = [-2, 0, 2, 6];
    expect(heatmapOf(cam, [2, 2], 0.5).values).toEqual([0, 0.125, 0.25, 0.5]);
    const none = heatmapOf(cam, [2, 2], 0.02).values;
    expect(Math.max(...none)).toBe(0.02);
    // at P = 0.02 the strongest pixel of the overlay is 3/255 opaque (invisible); at P = 0.97, 165/255
    expect(heatColour(Math.max(...none))[3]).toBeLessThanOrEqual(4);
    expect(heatColour(Math.max(...heatmapOf(cam, [2, 2], 0.97).values))[3]).toBeGreaterThan(160);
    // the same shape whatever the scale of the activations (no per-image stretch of the strength)
    expect([...evidenceMap([-20, 0, 20, 60], 0.5)]).toEqual([...evidenceMap(cam, 0.5)]);
    // no diagnosis (P null), a P outside [0, 1]: an empty map, or clamped
    expect([...evidenceMap(cam, null)]).toEqual([0, 0, 0, 0]);
    expect(Math.max(...evidenceMap(cam, 1.5))).toBe(1);
  });

  it('colours the overlay yellow (transparent) to red (opaque) as the evidence grows', () => {
    expect(heatColour(0)).toEqual([255, 200, 0, 0]);
    expect(heatColour(1)).toEqual([255, 0, 0, 170]);
    expect(heatColour(0.5)).toEqual([255, 100, 0, 85]);
  });
});

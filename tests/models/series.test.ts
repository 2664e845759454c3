// The shared series logic, pure: grouping by UIDs, order along the slice normal (else Instance Number, else frame),
// whatever the ids or their order; the verdict (top-k mean, threshold, band), key slices, label, slices outside.
import { describe, expect, it } from 'vitest';
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { SERIES_RULE } from '../../models/core/model.ts';
import { groupIntoSeries, outsideInSeries, seriesVerdict, type SeriesSlice, type SliceAnswer } from '../../models/core/series/index.ts';

const AXIAL = [1, 0, 0, 0, 1, 0];
function meta(over: Partial<SliceMeta>): SliceMeta {
  return {
    modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: '', seriesInstanceUid: '2.25.2', studyInstanceUid: '2.25.1',
    seriesDescription: 'T1 AX', seriesNumber: 1, instanceNumber: null, imageOrientation: null, imagePosition: null, pixelSpacing: null,
    sliceThickness: null, repetitionTime: 500, echoTime: 10, inversionTime: null, scanningSequence: 'SE', sequenceVariant: '', contrastAgent: '', bodyPart: '',
    ...over,
  };
}
// A deterministic shuffle (the ids say nothing about the order).
const shuffle = <T>(xs: T[]) => xs.map((x, i) => ({ x, k: (i * 7919) % 101 })).sort((a, b) => a.k - b.k).map((p) => p.x);

describe('groupIntoSeries', () => {
  it('orders by position along the normal, not by id, instance number or input order', () => {
    // Instance numbers run against the geometry: position must win.
    const slices: SeriesSlice[] = Array.from({ length: 12 }, (_, i) => ({
      id: `f${(i * 5) % 12}`, frame: null,
      meta: meta({ imageOrientation: AXIAL, imagePosition: [-120, -100, 40 - 5 * i], instanceNumber: i + 1 }),
    }));
    const [g] = groupIntoSeries(shuffle(slices));
    expect(g!.orientation).toBe('axial');
    expect(g!.slices.map((s) => s.meta.imagePosition![2])).toEqual(Array.from({ length: 12 }, (_, i) => -15 + 5 * i));
  });

  it('uses the normal: a sagittal series is ordered along x, a coronal one along y', () => {
    const sag = Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, frame: null, meta: meta({ seriesInstanceUid: 'S', imageOrientation: [0, 1, 0, 0, 0, -1], imagePosition: [10 - 3 * i, -100, 100] }) }));
    const cor = Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, frame: null, meta: meta({ seriesInstanceUid: 'C', imageOrientation: [1, 0, 0, 0, 0, -1], imagePosition: [-100, 3 * i, 100] }) }));
    const groups = groupIntoSeries(shuffle([...sag, ...cor]));
    const bySeries = Object.fromEntries(groups.map((g) => [g.seriesInstanceUid, g]));
    expect(bySeries.S!.orientation).toBe('sagittal');
    expect(bySeries.C!.orientation).toBe('coronal');
    // Sagittal normal (row y × column −z) = −x: increasing along it means decreasing x.
    expect(bySeries.S!.slices.map((s) => s.id)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    // Coronal normal (x × −z) = +y.
    expect(bySeries.C!.slices.map((s) => s.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('falls back to Instance Number without geometry, then to the frame', () => {
    const byInstance = Array.from({ length: 6 }, (_, i) => ({ id: `z${5 - i}`, frame: null, meta: meta({ instanceNumber: i + 1 }) }));
    expect(groupIntoSeries(shuffle(byInstance))[0]!.slices.map((s) => s.meta.instanceNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    const byFrame = Array.from({ length: 4 }, (_, i) => ({ id: `mf#${i + 1}`, frame: i + 1, meta: meta({}) }));
    expect(groupIntoSeries(shuffle(byFrame))[0]!.slices.map((s) => s.frame)).toEqual([1, 2, 3, 4]);
    expect(groupIntoSeries(byFrame)[0]!.orientation).toBeNull();
  });

  it('splits a mixed set into studies and series by UID, series by Series Number', () => {
    const mk = (study: string, series: string, n: number, number: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `${study}-${series}-${i}`, frame: null, meta: meta({ studyInstanceUid: study, seriesInstanceUid: series, seriesNumber: number, seriesDescription: `desc ${series}`, instanceNumber: i + 1 }) }));
    const groups = groupIntoSeries(shuffle([...mk('1.1', '9.3', 4, 3), ...mk('1.2', '9.1', 3, 1), ...mk('1.1', '9.2', 5, 2)]));
    expect(groups.map((g) => [g.studyInstanceUid, g.seriesInstanceUid, g.slices.length, g.description])).toEqual([
      ['1.1', '9.2', 5, 'desc 9.2'], ['1.1', '9.3', 4, 'desc 9.3'], ['1.2', '9.1', 3, 'desc 9.1'],
    ]);
  });
});

const diag = (id: string, p: number, probabilities?: SliceAnswer['probabilities']): SliceAnswer =>
  ({ id, result: p >= 0.5 ? 'Tumor' : 'No Tumor', tumorProbability: p, label: p >= 0.5 ? 'glioma' : 'notumor', probabilities });
const rule = { topK: 2, threshold: 0.8, uncertainBand: [0.6, 0.85] as [number, number] };

describe('seriesVerdict', () => {
  it('is the mean of the top-k counted P(tumour), against the threshold and band', () => {
    const none = seriesVerdict([diag('a', 0.1), diag('b', 0.2), diag('c', 0.05)], rule);
    expect(none).toMatchObject({ result: 'No Tumor', tumorProbability: 0.15, label: 'notumor', uncertain: false, counted: 3, keySlices: ['b', 'a', 'c'] });
    const tumour = seriesVerdict([diag('a', 0.1), diag('b', 0.99), diag('c', 0.95), diag('d', 0.2)], rule);
    expect(tumour).toMatchObject({ result: 'Tumor', tumorProbability: 0.97, uncertain: false, keySlices: ['b', 'c', 'd'] });
    // One suspicious slice alone is not enough with k = 2: (0.99 + 0.2) / 2 = 0.595, below the band.
    expect(seriesVerdict([diag('a', 0.1), diag('b', 0.99), diag('d', 0.2)], rule)).toMatchObject({ result: 'No Tumor', tumorProbability: 0.595 });
    // In the band: Uncertain, flagged.
    expect(seriesVerdict([diag('a', 0.7), diag('b', 0.8)], rule)).toMatchObject({ result: 'Uncertain', uncertain: true, tumorProbability: 0.75 });
  });

  it('labels the type with the highest mean probability over the key slices', () => {
    const v = seriesVerdict([
      diag('a', 0.99, { glioma: 0.6, meningioma: 0.39, pituitary: 0, notumor: 0.01 }),
      diag('b', 0.98, { glioma: 0.1, meningioma: 0.88, pituitary: 0, notumor: 0.02 }),
      diag('c', 0.97, { glioma: 0.2, meningioma: 0.77, pituitary: 0, notumor: 0.03 }),
      diag('d', 0.96, { glioma: 0.96, meningioma: 0, pituitary: 0, notumor: 0.04 }),
    ], rule);
    expect(v.keySlices).toEqual(['a', 'b', 'c']);
    expect(v.label).toBe('meningioma');
  });

  it('does not count slices outside the scope or refused; none counted is Outside validated use with the reasons', () => {
    const out = (id: string, ...outside: string[]): SliceAnswer => ({ id, result: 'Outside validated use', tumorProbability: null, label: null, outside });
    const mixed = seriesVerdict([out('a', 'edge of the head'), diag('b', 0.1), { id: 'c', result: 'Not a brain MRI', tumorProbability: null, label: null }, out('d', 'edge of the head')], rule);
    expect(mixed).toMatchObject({ result: 'No Tumor', counted: 1, keySlices: ['b'], outside: { 'edge of the head': 2, 'not a brain MRI': 1 } });
    const none = seriesVerdict([out('a', 'sagittal', 'proton density'), out('b', 'sagittal')], rule);
    expect(none).toEqual({ result: 'Outside validated use', tumorProbability: null, label: null, uncertain: false, keySlices: [], counted: 0, outside: { sagittal: 2, 'proton density': 1 } });
    expect(seriesVerdict([], rule).result).toBe('Outside validated use');
  });

  it('uses the model card rule by default', () => {
    expect(SERIES_RULE.topK).toBeGreaterThanOrEqual(1);
    expect(SERIES_RULE.uncertainBand[0]).toBeLessThanOrEqual(SERIES_RULE.threshold);
    expect(SERIES_RULE.uncertainBand[1]).toBeGreaterThanOrEqual(SERIES_RULE.threshold);
    const answers = [diag('a', 0.999), diag('b', 0.999), diag('c', 0.01)];
    expect(SERIES_RULE).toMatchObject({ topK: 2, threshold: 0.983, uncertainBand: [0.955, 0.985] });
    expect(seriesVerdict(answers).result).toBe('Tumor');
  });
});

describe('outsideInSeries', () => {
  it('applies the card scope with each slice’s place in its series: the outer slices are the edge of the head', () => {
    const slices = Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, frame: null, meta: meta({ imageOrientation: AXIAL, imagePosition: [0, 0, i * 5] }) }));
    const [g] = groupIntoSeries(slices);
    const out = outsideInSeries(g!);
    expect([...out.keys()]).toEqual(['s0', 's10']);
    expect(out.get('s0')).toEqual(['edge of the head']);
    const sag = groupIntoSeries([{ id: 'x', frame: null, meta: meta({ imageOrientation: [0, 1, 0, 0, 0, -1], imagePosition: [0, 0, 0] }) }])[0]!;
    expect(outsideInSeries(sag).get('x')).toContain('sagittal');
  });
});

// @vitest-environment jsdom
// "Outside validated use" on the device: the worker's scope step (web/workers/scope-answer.ts, the shared rules of
// models/core/scope.ts) turns a diagnosis of a DICOM frame outside the validated scope into no diagnosis and drops
// the heat map; the result card says why, shows no P(tumour), no bars and no heat map.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { describe as describeResult, ResultCard } from '../../web/features/analyse/ResultCard.tsx';
import { scoped } from '../../web/workers/scope-answer.ts';
import { fakeResult } from './fixtures.ts';

afterEach(cleanup);

const meta = (over: Partial<SliceMeta> = {}): SliceMeta => ({
  modality: 'MR', sopClassUid: '', sopInstanceUid: '', seriesInstanceUid: '', studyInstanceUid: '', seriesDescription: 't1_fl2d_sag', seriesNumber: null,
  instanceNumber: null, imageOrientation: [0, 1, 0, 0, 0, -1], imagePosition: null, pixelSpacing: [1, 1], sliceThickness: 4,
  repetitionTime: 300, echoTime: 2.46, inversionTime: null, scanningSequence: 'GR', sequenceVariant: '', contrastAgent: '', bodyPart: '', ...over,
});

describe('Outside validated use on the device', () => {
  const diagnosis = fakeResult({ crop: { x: 20, y: 20, width: 200, height: 210 }, cam: Float32Array.of(0, 1, 2, 3), camSize: 2, pixels: new Uint8Array(96 * 96) });

  it('a sagittal gradient-echo T1 frame loses its diagnosis and heat map, and says why', () => {
    const r = scoped(diagnosis, meta(), null, { width: 256, height: 256 });
    expect(r).toMatchObject({ result: 'Outside validated use', outside: ['sagittal', 'T1 gradient echo'], label: null, probabilities: null, tumorProbability: null, uncertain: false, backend: diagnosis.backend });
    expect(r.cam).toBeUndefined();
    expect(r.pixels).toBe(diagnosis.pixels);
  });

  it('an axial T2 frame in the middle of its series keeps its diagnosis; its first slice is the edge of the head', () => {
    const axial = meta({ imageOrientation: [1, 0, 0, 0, 1, 0], seriesDescription: 'ax t2 tse', scanningSequence: 'SE', repetitionTime: 4000, echoTime: 100 });
    expect(scoped(diagnosis, axial, { index: 12, count: 24 }, { width: 256, height: 256 })).toBe(diagnosis);
    expect(scoped(diagnosis, axial, { index: 0, count: 24 }, { width: 256, height: 256 })).toMatchObject({ result: 'Outside validated use', outside: ['edge of the head'] });
  });

  it('the card: the word, the reasons, no P(tumour), no bars, no heat map', () => {
    const r = scoped(diagnosis, meta(), null, { width: 256, height: 256 });
    render(<ResultCard name="slice 18" result={r} fromCamera={false} />);
    expect(screen.getByText('Outside validated use')).toBeTruthy();
    expect(screen.getByText(/outside the model's validated use \(sagittal, T1 gradient echo\)/)).toBeTruthy();
    expect(screen.getByText('—')).toBeTruthy();
    expect(screen.queryByLabelText('Class probabilities')).toBeNull();
    expect(screen.queryByText(/Show heatmap/)).toBeNull();
    expect(describeResult('slice 18', r)).toMatch(/^slice 18: Outside validated use \(sagittal, T1 gradient echo\), no diagnosis · /);
  });
});

// The validated scope (models/core/scope.ts): orientation, sequence family, contrast and edge rules on metadata; and
// every slice of every shared healthy scanner series (../shared/data/brain-mri-normal-dicom, read by the project's
// reader, the real model) comes back No Tumor or Outside validated use — none is called Tumor.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { withScope } from '../../models/core/interpret.ts';
import { MODEL_CARD, MODEL_INFO, SCOPE } from '../../models/core/model.ts';
import { orientationOf, scopeOf, sequenceFamily, sliceFacts, type ScopeRules } from '../../models/core/scope.ts';
import { createClassifier, type Classifier } from '../../models/node/classifier.ts';
import { detectInline } from '../../models/node/detect-inline.ts';
import { HEALTHY_SERIES } from '../../models/scripts/healthy-dicom.ts';
import { available, DATA_DIR } from '../support/skip.ts';

const meta = (over: Partial<SliceMeta> = {}): SliceMeta => ({
  modality: 'MR', sopClassUid: '', sopInstanceUid: '', seriesInstanceUid: '', studyInstanceUid: '', seriesDescription: '', seriesNumber: null,
  instanceNumber: null, imageOrientation: [1, 0, 0, 0, 1, 0], imagePosition: null, pixelSpacing: [1, 1], sliceThickness: null,
  repetitionTime: 4000, echoTime: 100, inversionTime: null, scanningSequence: 'SE', sequenceVariant: '', contrastAgent: '', bodyPart: '', ...over,
});
const head = { crop: { x: 20, y: 20, width: 180, height: 200 }, width: 256, height: 256 };

describe('scope rules (metadata)', () => {
  it('orientation is the dominant axis of the slice normal, with its obliquity', () => {
    expect(orientationOf([1, 0, 0, 0, 1, 0])).toEqual({ orientation: 'axial', obliquity: 0 });
    expect(orientationOf([0, 1, 0, 0, 0, -1])).toEqual({ orientation: 'sagittal', obliquity: 0 });
    expect(orientationOf([1, 0, 0, 0, 0, -1])).toEqual({ orientation: 'coronal', obliquity: 0 });
    // The Philips volume of the shared data: sagittal, 4.1° off.
    expect(orientationOf([-0.0386, 0.99925, -0.00235, 0.06086, 0, -0.99815])).toMatchObject({ orientation: 'sagittal', obliquity: 4.1 });
    // 30° tilted axial is still axial.
    expect(orientationOf([1, 0, 0, 0, Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)]).orientation).toBe('axial');
    expect(orientationOf(null)).toEqual({ orientation: null, obliquity: null });
  });

  it('sequence family from the description, else TR / TE / TI and Scanning Sequence', () => {
    const fam = (o: Partial<SliceMeta>) => sequenceFamily(meta(o));
    expect(fam({ repetitionTime: 500, echoTime: 12 })).toBe('T1');
    expect(fam({ repetitionTime: 4000, echoTime: 100 })).toBe('T2');
    expect(fam({ repetitionTime: 9000, echoTime: 120, inversionTime: 2500 })).toBe('FLAIR');
    expect(fam({ repetitionTime: 3000, echoTime: 15 })).toBe('proton density');
    expect(fam({ seriesDescription: 'AX PD FSE' })).toBe('proton density');
    expect(fam({ seriesDescription: 'ep2d_diff_3scan_trace_p2' })).toBe('diffusion');
    expect(fam({ scanningSequence: 'EP', repetitionTime: 2000, echoTime: 30 })).toBe('echo-planar');
    // The shared healthy series: Philips MPRAGE (GR, TR 6.5, TE 2.9), UIH 3D GRE (GR\IR, TI 750), Siemens FLASH 2D (GR, TR 300).
    expect(fam({ seriesDescription: 'ADNI_Sag3D MPRAGE', scanningSequence: 'GR', repetitionTime: 6.5, echoTime: 2.93 })).toBe('T1 gradient echo');
    expect(fam({ seriesDescription: 't1_gre_fsp_3d_sag', scanningSequence: 'GR\\IR', repetitionTime: 7.25, echoTime: 3.1, inversionTime: 750 })).toBe('T1 gradient echo');
    expect(fam({ seriesDescription: 't1_fl2d_sag', scanningSequence: 'GR', repetitionTime: 300, echoTime: 2.46 })).toBe('T1 gradient echo');
    expect(fam({ seriesDescription: 'SWI_Images', scanningSequence: 'GR', repetitionTime: 28, echoTime: 20 })).toBe('T2* gradient echo');
    expect(fam({ seriesDescription: 't2_fl2d_tra', scanningSequence: 'GR', repetitionTime: 600, echoTime: 20 })).toBe('T2* gradient echo');
    expect(fam({ repetitionTime: 1000, echoTime: 50 })).toBe('unknown sequence');
    expect(fam({ repetitionTime: null, echoTime: null })).toBe('not stated');
  });

  it('the shipped rules: axial T1 / T2 / FLAIR without contrast, not at the edge of the head', () => {
    const { orientations, sequences, contrast, minHeadExtentMm, maxPosition } = MODEL_CARD.scope;
    expect(SCOPE).toEqual({ orientations, sequences, contrast, minHeadExtentMm, maxPosition });
    const verdict = (o: Partial<SliceMeta>, where: { index: number; count: number } | null = null, crop = head) => scopeOf(sliceFacts(meta(o), where, crop), SCOPE);
    expect(verdict({})).toEqual({ inScope: true });
    expect(verdict({ imageOrientation: [0, 1, 0, 0, 0, -1] })).toEqual({ inScope: false, outside: ['sagittal'] });
    expect(verdict({ imageOrientation: [1, 0, 0, 0, 0, -1], repetitionTime: 3000, echoTime: 15 })).toEqual({ inScope: false, outside: ['coronal', 'proton density'] });
    expect(verdict({ contrastAgent: 'Gadovist' })).toEqual({ inScope: false, outside: ['contrast-enhanced'] });
    expect(verdict({ seriesDescription: 'T1 SE AX POST GAD', repetitionTime: 500, echoTime: 10 })).toEqual({ inScope: false, outside: ['contrast-enhanced'] });
    expect(verdict({ contrastAgent: 'NONE' })).toEqual({ inScope: true });
    // Edge: the outer 20 % of a series of ≥ 10 slices, or a head crop under 150 mm in a head-sized view.
    expect(verdict({}, { index: 0, count: 30 })).toEqual({ inScope: false, outside: ['edge of the head'] });
    expect(verdict({}, { index: 15, count: 30 })).toEqual({ inScope: true });
    expect(verdict({}, { index: 0, count: 4 })).toEqual({ inScope: true });
    expect(verdict({}, null, { crop: { x: 90, y: 90, width: 100, height: 80 }, width: 256, height: 256 })).toEqual({ inScope: false, outside: ['edge of the head'] });
    // A 64 px, 0.3 mm field of view (pydicom's MR_small) cannot tell an edge slice: the rule is not applied.
    expect(verdict({ pixelSpacing: [0.3125, 0.3125] }, null, { crop: { x: 0, y: 0, width: 64, height: 64 }, width: 64, height: 64 })).toEqual({ inScope: true });
    // What a file does not state is no reason: judged like a picture on the rest.
    expect(verdict({ imageOrientation: null, repetitionTime: null, echoTime: null, pixelSpacing: null }, { index: 0, count: 30 })).toEqual({ inScope: true });
  });

  it('the model card states the rules the code enforces, with the figures behind them', () => {
    const md = readFileSync(new URL('../../models/MODEL_CARD.md', import.meta.url), 'utf8');
    expect(md).toContain(`In scope: **${SCOPE.orientations.join(', ')}** slices, sequence family **${SCOPE.sequences.join(' / ')}**`);
    expect(md).toContain(`a head crop under ${SCOPE.minHeadExtentMm} mm`);
    const f = MODEL_CARD.scope.figures;
    expect(f.model).toBe(MODEL_INFO.version);
    // Every shared healthy series: none of its in-scope slices called Tumor, as measured for the card.
    expect(f.bySeries.length).toBeGreaterThanOrEqual(6);
    for (const s of f.bySeries) expect(s.tumourInScope).toBe(0);
    // The orientations outside are those whose healthy slices the model called Tumor far above the 2 % target.
    for (const o of ['sagittal', 'coronal'] as const) {
      expect(SCOPE.orientations).not.toContain(o);
      expect(f.byOrientation[o]!.value).toBeGreaterThan(0.02);
    }
    expect(f.worst).toHaveLength(10);
  });

  it('withScope turns a diagnosis outside the scope into "Outside validated use" with no diagnosis; a refusal stays one', () => {
    const diagnosis = { result: 'Tumor' as const, label: 'glioma' as const, probabilities: { glioma: 0.9, meningioma: 0.05, pituitary: 0.03, notumor: 0.02 }, tumorProbability: 0.98, mriProbability: 0.99, uncertain: false, model: MODEL_INFO };
    const out = { inScope: false as const, outside: ['sagittal'] };
    expect(withScope(diagnosis, out)).toEqual({ result: 'Outside validated use', label: null, probabilities: null, tumorProbability: null, mriProbability: 0.99, uncertain: false, model: MODEL_INFO, outside: ['sagittal'] });
    expect(withScope(diagnosis, { inScope: true })).toBe(diagnosis);
    expect(withScope(diagnosis, null)).toBe(diagnosis);
    const refusal = { result: 'Not a brain MRI' as const, label: null, probabilities: null, tumorProbability: null, mriProbability: 0.1, uncertain: false as const, model: MODEL_INFO };
    expect(withScope(refusal, out)).toBe(refusal);
    const all: ScopeRules = { ...SCOPE, orientations: ['axial', 'coronal', 'sagittal'] };
    expect(scopeOf(sliceFacts(meta({ imageOrientation: [0, 1, 0, 0, 0, -1] }), null, head), all)).toEqual({ inScope: true });
  });
});

const ROOT = join(DATA_DIR, 'brain-mri-normal-dicom');
const run = available(existsSync(ROOT), 'the healthy scanner DICOM (../shared/data/brain-mri-normal-dicom)');

describe.runIf(run)('the shared healthy scanner series, slice by slice, with the shipped model', () => {
  let classifier: Classifier;
  beforeAll(async () => { classifier = await createClassifier(); });
  afterAll(async () => classifier?.release());

  for (const s of HEALTHY_SERIES) {
    it(`${s.folder}: every slice No Tumor, Not a brain MRI or Outside validated use — none called Tumor`, async () => {
      const dir = join(ROOT, s.folder);
      const counts: Record<string, number> = {};
      const reasons = new Set<string>();
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.dcm'))) {
        const a = await detectInline(classifier, new Uint8Array(readFileSync(join(dir, f))));
        counts[a.result] = (counts[a.result] ?? 0) + 1;
        if (a.result === 'Tumor') throw new Error(`${s.folder}/${f} called Tumor at P ${a.tumorProbability}`);
        if (a.result === 'Outside validated use') {
          expect(a).toMatchObject({ label: null, probabilities: null, tumorProbability: null });
          a.outside.forEach((r) => reasons.add(r));
        }
      }
      expect(counts.Tumor ?? 0).toBe(0);
      expect(reasons.has('sagittal')).toBe(true);
      expect(reasons.has('T1 gradient echo')).toBe(true);
    }, 120_000);
  }

  it('the CLI prints "Outside validated use" with the reasons and no diagnosis', () => {
    const dir = join(ROOT, 'siemens-3t-flash2d-sag-HFS');
    const file = join(dir, readdirSync(dir).filter((f) => f.endsWith('.dcm')).sort()[17]!);
    const r = spawnSync('npx', ['tsx', 'models/scripts/classify.ts', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ result: 'Outside validated use', outside: ['sagittal', 'T1 gradient echo'], label: null, probabilities: null, tumorProbability: null });
  }, 60_000);
});

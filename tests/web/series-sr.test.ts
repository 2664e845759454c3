// What the series feature hands to "Send result to PACS" (web/features/series resultSrSourceOf): the analysed series'
// study and patient as its headers hold them, its instances in series order, the verdict's words ('Uncertain' kept),
// counts, key slices by SOP Instance UID with their P(tumour), the model; null when the headers name no study. And the
// SR built from it holds those (tests/models/result-sr.test.ts checks the SR itself).
import { describe, expect, it } from 'vitest';
import { buildResultSr, type SrPatientStudy } from '../../models/core/dicom/index.ts';
import { parseDicom } from '../../models/core/dicom/parse.ts';
import type { SeriesVerdict } from '../../models/core/series/index.ts';
import { buildStudies, resultSrSourceOf } from '../../web/features/series/index.ts';
import type { HeaderAnswer } from '../../web/lib/dicom-info.ts';
import { fakeSeries } from './series-fixture.ts';

const STUDY = '2.25.610';
const SERIES = '2.25.620';
const STUDY_ATTRS: SrPatientStudy = {
  specificCharacterSet: 'ISO_IR 100', patientName: 'DOE^JANE', patientId: 'PID-12345', patientBirthDate: '19700101', patientSex: 'F',
  studyInstanceUid: STUDY, studyDate: '20240229', studyTime: '101500', studyId: 'S7', accessionNumber: 'ACC-3', referringPhysicianName: 'WHO^DR', studyDescription: 'MR HEAD',
};

function answers(study: SrPatientStudy | undefined): HeaderAnswer[] {
  // 4 slices given out of order (z = 10, 0, 15, 5); instance numbers follow z.
  return [10, 0, 15, 5].map((z, index) => ({
    index, ok: true as const,
    header: {
      meta: {
        modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: `${SERIES}.${z}`, seriesInstanceUid: SERIES, studyInstanceUid: STUDY,
        seriesDescription: 'T1 AX', seriesNumber: 3, instanceNumber: z / 5 + 1, imageOrientation: [1, 0, 0, 0, 1, 0], imagePosition: [0, 0, z], pixelSpacing: [0.9, 0.9],
        sliceThickness: 5, repetitionTime: 500, echoTime: 10, inversionTime: null, scanningSequence: 'SE', sequenceVariant: '', contrastAgent: '', bodyPart: 'HEAD',
      },
      frames: 1, rows: 8, columns: 8,
      patient: { name: 'DOE JANE', id: 'PID-12345', studyDate: '20240229', studyDescription: 'MR HEAD' },
      ...(study ? { study } : {}),
    },
  }));
}

function seriesOf(study: SrPatientStudy | undefined) {
  const files = [0, 1, 2, 3].map(() => new Blob([new Uint8Array(4)]));
  const { studies } = buildStudies(files, answers(study));
  return studies[0]!.series[0]!;
}

describe('resultSrSourceOf', () => {
  const series = seriesOf(STUDY_ATTRS);
  // The ids of the slices at z = 10 and 5 (files 0 and 3), the most suspicious first.
  const verdict: SeriesVerdict = { result: 'Uncertain', tumorProbability: 0.55, label: 'glioma', uncertain: true, keySlices: ['0', '3'], counted: 3, outside: { 'Not a brain MRI': 1 } };
  const result = fakeSeries({
    slices: [0, 1, 2, 3].map((index) => ({ index, tumorProbability: [null, 0.52, 0.61, 0.4][index]!, counted: index !== 0 })),
  });

  it('the headers’ study and patient, the instances in series order, the key slices by SOP Instance UID, the verdict words', () => {
    const src = resultSrSourceOf(series, verdict, result, true)!;
    expect(src.evidence.patientStudy).toEqual(STUDY_ATTRS);
    expect(src.evidence.seriesInstanceUid).toBe(SERIES);
    expect(src.evidence.seriesDescription).toBe('T1 AX');
    expect(src.evidence.instances.map((i) => [i.sopInstanceUid, i.instanceNumber])).toEqual([[`${SERIES}.0`, 1], [`${SERIES}.5`, 2], [`${SERIES}.10`, 3], [`${SERIES}.15`, 4]]);
    expect(src.findings).toMatchObject({ verdict: 'Uncertain', tumorProbability: 0.55, label: 'glioma', uncertain: true, counted: 3, slices: 4, notCounted: ['Not a brain MRI (1)'], complete: true });
    // series order: z = 10 is index 2, z = 5 is index 1
    expect(src.findings.keySlices).toEqual([
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: `${SERIES}.10`, instanceNumber: 3, frame: null, tumorProbability: 0.61 },
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: `${SERIES}.5`, instanceNumber: 2, frame: null, tumorProbability: 0.52 },
    ]);
    expect(src.findings.model).toEqual(result.model);
    expect(resultSrSourceOf(series, verdict, result, false)!.findings.complete).toBe(false);
  });

  it('the SR made from it: in the study, referencing the series, the patient as the headers hold it', () => {
    const sr = buildResultSr(resultSrSourceOf(series, verdict, result, true)!);
    const back = parseDicom(sr.bytes);
    expect(back.meta.studyInstanceUid).toBe(STUDY);
    expect(back.dataSet.string('x00100010')).toBe('DOE^JANE');
    expect(back.dataSet.string('x00080090')).toBe('WHO^DR');
    const ev = back.dataSet.elements.x0040a375!.items![0]!.dataSet!.elements.x00081115!.items![0]!.dataSet!;
    expect(ev.string('x0020000e')).toBe(SERIES);
    expect(ev.elements.x00081199!.items!.map((i) => i.dataSet!.string('x00081155'))).toEqual([0, 5, 10, 15].map((z) => `${SERIES}.${z}`));
    expect(sr.lines).toContain('Triage verdict: Uncertain');
  });

  it('null when the headers carry no study attributes (nothing to file it in)', () => {
    expect(resultSrSourceOf(seriesOf(undefined), verdict, result, true)).toBeNull();
  });
});

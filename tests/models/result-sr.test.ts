// The result SR (models/core/dicom/result-sr.ts), "Send result to PACS" of issue 14: a Basic Text SR written from the
// headers of a generated MR series, read back by the repo's own reader (parseDicom), by dcmtk (dcmdump, and dsrdump,
// which checks the SR document's structure) and by pydicom: SOP class, the study kept, new and distinct UIDs, the
// analysed series and its instances referenced, the patient copied byte for byte, the text with the verdict, the model
// version and the research note.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSet } from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { BASIC_TEXT_SR, buildResultSr, newUid, patientStudyOf, RESEARCH_NOTE, SR_SERIES_DESCRIPTION, type SrEvidence, type SrFindings } from '../../models/core/dicom/index.ts';
import { parseDicom } from '../../models/core/dicom/parse.ts';
import { fromElements, imageElements, str, MR_IMAGE_STORAGE } from '../../models/scripts/dicom-write.ts';
import { available } from '../support/skip.ts';

const STUDY = '2.25.4455667788990011';
const SERIES = '2.25.4455667788990022';
// Latin-1 (ISO_IR 100): the name must reach the PACS in the file's own bytes and character set.
const NAME = 'M\u00dcLLER^J\u00d6RG';

/** Slice k of a 5-slice MR series, with the patient and study attributes a scanner writes. */
function slice(k: number): Uint8Array {
  const els = imageElements({
    rows: 4, columns: 4, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometric: 'MONOCHROME2',
    pixels: new Uint8Array(16).fill(k * 10),
    identity: { patientName: NAME, patientId: 'PID-77', birthDate: '19610203', sex: 'M', accession: 'ACC-9', studyDate: '20240301', studyUid: STUDY, seriesUid: SERIES, sopInstanceUid: `${SERIES}.${k}`, seriesDescription: 'T1 AX' },
    geometry: { seriesNumber: 3, instanceNumber: k },
  });
  els.push([0x00080005, str(0x0008, 0x0005, 'CS', 'ISO_IR 100')], [0x00080030, str(0x0008, 0x0030, 'TM', '093000')], [0x00200010, str(0x0020, 0x0010, 'SH', 'ST-1')]);
  return fromElements(els, { sopInstance: `${SERIES}.${k}` });
}

const files = [1, 2, 3, 4, 5].map(slice);
const parsed = files.map(parseDicom);
const evidence: SrEvidence = {
  patientStudy: patientStudyOf(parsed[0]!.dataSet),
  seriesInstanceUid: SERIES,
  seriesDescription: 'T1 AX',
  instances: parsed.map((p) => ({ sopClassUid: p.meta.sopClassUid, sopInstanceUid: p.meta.sopInstanceUid, instanceNumber: p.meta.instanceNumber })),
};
const key = (k: number, p: number) => ({ sopClassUid: MR_IMAGE_STORAGE, sopInstanceUid: `${SERIES}.${k}`, instanceNumber: k, frame: null, tumorProbability: p });
const findings: SrFindings = {
  verdict: 'Tumor', tumorProbability: 0.8766, label: 'glioma', uncertain: false, counted: 4, slices: 5,
  notCounted: ['Not a brain MRI (1)'], keySlices: [key(3, 0.91), key(2, 0.88), key(4, 0.83)], complete: true,
  model: { name: 'bigbrain-resnet', version: '9.8.7', sha256: 'ab'.repeat(32) },
};
const NOW = new Date(2026, 11, 1, 10, 30, 15);
const sr = buildResultSr({ evidence, findings, now: NOW });

const items = (ds: DataSet, tag: string) => ds.elements[tag]?.items?.map((i) => i.dataSet!) ?? [];
const text = (ds: DataSet, tag: string) => (ds.string(tag) ?? '').replace(/\0+$/, '').trim();

describe('result SR: what the repo’s own reader reads back', () => {
  const back = parseDicom(sr.bytes);
  const ds = back.dataSet;

  it('a Basic Text SR, Part 10 explicit VR little endian, no pixel data, in the analysed study', () => {
    expect(text(ds, 'x00020002')).toBe(BASIC_TEXT_SR);
    expect(text(ds, 'x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(back.meta.sopClassUid).toBe(BASIC_TEXT_SR);
    expect(back.meta.modality).toBe('SR');
    expect(back.image).toBeNull();
    expect(back.meta.studyInstanceUid).toBe(STUDY);
    expect(text(ds, 'x00080070')).toBe('BigBrain');
    expect(back.meta.seriesDescription).toBe(SR_SERIES_DESCRIPTION);
    expect(text(ds, 'x00181020')).toBe('9.8.7');
    expect(text(ds, 'x0040a491')).toBe('COMPLETE');
    expect(text(ds, 'x0040a493')).toBe('UNVERIFIED');
    expect(text(ds, 'x00080023')).toBe('20261201');
    expect(text(ds, 'x00080033')).toBe('103015');
  });

  it('new Series and SOP Instance UIDs: 2.25 decimal, distinct from each other and from the analysed series, new each build', () => {
    expect(back.meta.seriesInstanceUid).toBe(sr.seriesInstanceUid);
    expect(back.meta.sopInstanceUid).toBe(sr.sopInstanceUid);
    expect(text(ds, 'x00020003')).toBe(sr.sopInstanceUid);
    for (const uid of [sr.seriesInstanceUid, sr.sopInstanceUid]) {
      expect(uid).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
      expect(uid.length).toBeLessThanOrEqual(64);
      expect(BigInt(uid.slice(5))).toBeLessThan(2n ** 128n);
    }
    const uids = new Set([sr.seriesInstanceUid, sr.sopInstanceUid, SERIES, STUDY, ...evidence.instances.map((i) => i.sopInstanceUid)]);
    expect(uids.size).toBe(4 + evidence.instances.length);
    const again = buildResultSr({ evidence, findings });
    expect(again.seriesInstanceUid).not.toBe(sr.seriesInstanceUid);
    expect(again.sopInstanceUid).not.toBe(sr.sopInstanceUid);
    expect(new Set(Array.from({ length: 200 }, newUid)).size).toBe(200);
  });

  it('the patient and study copied byte for byte (character set too), so the archive files it with that study', () => {
    expect(text(ds, 'x00080005')).toBe('ISO_IR 100');
    expect(back.patient).toEqual(parsed[0]!.patient);
    expect(text(ds, 'x00100010')).toBe(NAME); // carets kept
    const at = (bytes: Uint8Array, tag: string) => { const e = parseDicom(bytes).dataSet.elements[tag]!; return Array.from(bytes.subarray(e.dataOffset, e.dataOffset + e.length)); };
    expect(at(sr.bytes, 'x00100010')).toEqual(at(files[0]!, 'x00100010'));
    expect(text(ds, 'x00100020')).toBe('PID-77');
    expect(text(ds, 'x00080050')).toBe('ACC-9');
    expect(text(ds, 'x00080030')).toBe('093000');
    expect(text(ds, 'x00200010')).toBe('ST-1');
  });

  it('the analysed series and all its instances in the Current Requested Procedure Evidence Sequence', () => {
    const [study, more] = items(ds, 'x0040a375');
    expect(more).toBeUndefined();
    expect(text(study!, 'x0020000d')).toBe(STUDY);
    const [series] = items(study!, 'x00081115');
    expect(text(series!, 'x0020000e')).toBe(SERIES);
    const refs = items(series!, 'x00081199').map((r) => [text(r, 'x00081150'), text(r, 'x00081155')]);
    expect(refs).toEqual([1, 2, 3, 4, 5].map((k) => [MR_IMAGE_STORAGE, `${SERIES}.${k}`]));
  });

  it('the content: a CONTAINER of TEXT items (verdict, P(tumour), counts, key slices, model, research note) and IMAGE references', () => {
    expect(text(ds, 'x0040a040')).toBe('CONTAINER');
    expect(text(ds, 'x0040a050')).toBe('SEPARATE');
    const content = items(ds, 'x0040a730');
    const entries = content.map((c) => ({
      rel: text(c, 'x0040a010'), type: text(c, 'x0040a040'),
      concept: text(items(c, 'x0040a043')[0]!, 'x00080104'), value: text(c, 'x0040a160'),
      ref: items(c, 'x00081199').map((r) => text(r, 'x00081155'))[0],
    }));
    expect(entries.every((e) => e.rel === 'CONTAINS')).toBe(true);
    const byConcept = Object.fromEntries(entries.filter((e) => e.type === 'TEXT').map((e) => [e.concept, e.value]));
    expect(byConcept['Research and triage notice']).toBe(RESEARCH_NOTE);
    expect(RESEARCH_NOTE).toContain('not a medical device; not a diagnosis');
    expect(byConcept['Triage verdict']).toBe('Tumor');
    expect(byConcept['Series P(tumour)']).toBe('0.8766 (87.7 %)');
    expect(byConcept['Tumour type']).toBe('glioma');
    expect(byConcept['Slices counted']).toBe('4 of 5 slices counted; not counted: Not a brain MRI (1)');
    expect(byConcept['Key slices']).toBe(`1. instance 3, P(tumour) 91.0 % (SOP Instance UID ${SERIES}.3); 2. instance 2, P(tumour) 88.0 % (SOP Instance UID ${SERIES}.2); 3. instance 4, P(tumour) 83.0 % (SOP Instance UID ${SERIES}.4)`);
    expect(byConcept['Algorithm Name']).toBe('bigbrain-resnet');
    expect(byConcept['Algorithm Version']).toBe(`9.8.7 (sha256 ${'ab'.repeat(32)})`);
    expect(entries.filter((e) => e.type === 'IMAGE').map((e) => e.ref)).toEqual([`${SERIES}.3`, `${SERIES}.2`, `${SERIES}.4`]);
    expect(sr.lines).toContain('Triage verdict: Tumor');
  });

  it('Uncertain, Outside validated use and a cancelled run say so; no study UID is refused', () => {
    const t = (f: Partial<SrFindings>) => {
      const c = items(parseDicom(buildResultSr({ evidence, findings: { ...findings, ...f } }).bytes).dataSet, 'x0040a730');
      return Object.fromEntries(c.map((i) => [text(items(i, 'x0040a043')[0]!, 'x00080104'), text(i, 'x0040a160')]));
    };
    expect(t({ verdict: 'Uncertain', uncertain: true })['Triage verdict']).toBe('Uncertain');
    const outside = t({ verdict: 'Outside validated use', tumorProbability: null, label: null, counted: 0, keySlices: [] });
    expect(outside['Triage verdict']).toBe('Outside validated use');
    expect(outside['Series P(tumour)']).toBe('none (no slice counted)');
    expect(outside['Tumour type']).toBeUndefined();
    expect(t({ complete: false })['Triage verdict']).toBe('Tumor (analysis stopped before the last slice)');
    expect(text(parseDicom(buildResultSr({ evidence, findings: { ...findings, complete: false } }).bytes).dataSet, 'x0040a491')).toBe('PARTIAL');
    expect(() => buildResultSr({ evidence: { ...evidence, patientStudy: { ...evidence.patientStudy, studyInstanceUid: '' } }, findings })).toThrow(/Study/);
    expect(() => buildResultSr({ evidence, findings, seriesInstanceUid: SERIES })).toThrow(/UIDs of its own/);
  });
});

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'bigbrain-sr-'));
const file = join(dir, 'sr.dcm');
writeFileSync(file, sr.bytes);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('result SR: the patient and study copied as the source has them, whatever the character set', () => {
  /** A value's bytes in a Part 10 file. */
  const at = (bytes: Uint8Array, tag: string) => { const e = parseDicom(bytes).dataSet.elements[tag]!; return Array.from(bytes.subarray(e.dataOffset, e.dataOffset + e.length)); };
  /** One slice whose name and study description are given as bytes (a string of one character a byte). */
  const source = (charset: string, name: Uint8Array, description: Uint8Array) => {
    const bin = (b: Uint8Array) => String.fromCharCode(...b);
    const els = imageElements({
      rows: 4, columns: 4, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels: new Uint8Array(16),
      identity: { patientName: bin(name), patientId: 'PID-8', studyUid: STUDY, seriesUid: SERIES, sopInstanceUid: `${SERIES}.1` },
      geometry: { seriesNumber: 1, instanceNumber: 1 },
    });
    els.push([0x00080005, str(0x0008, 0x0005, 'CS', charset)], [0x00081030, str(0x0008, 0x1030, 'LO', bin(description))]);
    return fromElements(els, { sopInstance: `${SERIES}.1` });
  };
  const srOf = (bytes: Uint8Array) => {
    const p = parseDicom(bytes);
    return buildResultSr({ evidence: { ...evidence, patientStudy: patientStudyOf(p.dataSet) }, findings, now: NOW }).bytes;
  };

  it('UTF-8 (ISO_IR 192): a name ending in "à" (C3 A0) keeps its last byte — U+00A0 is no padding', () => {
    const name = new TextEncoder().encode('DUPONT^Voilà'); // 13 bytes, …C3 A0: padded with one space in the file
    const description = new TextEncoder().encode('IRM crâne à'); // ends in C3 A0 too
    expect(Array.from(name.subarray(-2))).toEqual([0xc3, 0xa0]);
    const dcm = source('ISO_IR 192', name, description);
    const out = srOf(dcm);
    for (const tag of ['x00100010', 'x00081030', 'x00080005', 'x00100020', 'x0020000d']) expect(at(out, tag), tag).toEqual(at(dcm, tag));
    expect(at(out, 'x00100010')).toEqual([...name, 0x20]);
    expect(new TextDecoder().decode(new Uint8Array(at(out, 'x00100010'))).trimEnd()).toBe('DUPONT^Voilà');
  });

  it('Latin-1 (ISO_IR 100): a name ending in "à" (E0) or in a no-break space (A0) is copied byte for byte', () => {
    for (const name of [Uint8Array.from([0x44, 0x55, 0x52, 0x41, 0x4e, 0x44, 0x5e, 0x56, 0x6f, 0x69, 0x6c, 0xe0]), Uint8Array.from([0x4d, 0xdc, 0x4c, 0x4c, 0x45, 0x52, 0xa0])]) {
      const dcm = source('ISO_IR 100', name, Uint8Array.from([0x54, 0x31, 0xa0]));
      const out = srOf(dcm);
      for (const tag of ['x00100010', 'x00081030', 'x00080005']) expect(at(out, tag), tag).toEqual(at(dcm, tag));
      expect(at(out, 'x00100010').slice(0, name.length)).toEqual(Array.from(name));
    }
  });
});

describe.runIf(available(has('dcmdump') && has('dsrdump'), 'dcmtk (apt-get install dcmtk)'))('result SR: dcmtk reads it', () => {
  it('dcmdump: the SOP class, UIDs, study, referenced series and the text', () => {
    const r = spawnSync('dcmdump', ['-q', '+L', file], { encoding: 'latin1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\(0008,0016\) UI =BasicTextSRStorage/);
    expect(r.stdout).toContain(`(0020,000d) UI [${STUDY}]`);
    expect(r.stdout).toContain(`(0020,000e) UI [${sr.seriesInstanceUid}]`);
    expect(r.stdout).toContain(`(0008,0018) UI [${sr.sopInstanceUid}]`);
    expect(r.stdout).toContain(`(0020,000e) UI [${SERIES}]`); // in the evidence sequence
    expect(r.stdout).toContain('(0008,0060) CS [SR]');
    expect(r.stdout).toContain(`(0010,0010) PN [${NAME}]`);
    expect(r.stdout).toContain('9.8.7');
    expect(r.stdout).toContain(RESEARCH_NOTE);
  });

  it('dsrdump: a valid Basic Text SR document tree, no warning', () => {
    const r = spawnSync('dsrdump', ['+Pl', '+Pc', '+Pu', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Basic Text SR Document');
    expect(r.stdout).toContain('Completion Flag     : COMPLETE');
    expect(r.stdout).toContain('<CONTAINER:(18748-4,LN,"Diagnostic imaging report")=SEPARATE>');
    expect(r.stdout).toContain('<contains TEXT:(BB002,99BIGBRAIN,"Triage verdict")="Tumor">');
    expect(r.stdout).toContain('<contains TEXT:(111003,DCM,"Algorithm Version")="9.8.7');
    expect(r.stdout.match(/<contains IMAGE:\(BB007,99BIGBRAIN,"Key slice"\)=\(MR image,/g)).toHaveLength(3);
  });
});

const PYTHON = process.env.PYDICOM_PYTHON ?? '/usr/bin/python3';
const hasPydicom = spawnSync(PYTHON, ['-c', 'import pydicom'], { stdio: 'ignore' }).status === 0;

describe.runIf(available(hasPydicom, 'pydicom (apt-get install python3-pydicom)'))('result SR: pydicom reads it', () => {
  it('SOP class, UIDs, study, evidence, patient name decoded from ISO_IR 100, text items', () => {
    const script = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ev = ds.CurrentRequestedProcedureEvidenceSequence[0]
print(json.dumps({
  'sopClass': str(ds.SOPClassUID), 'sop': str(ds.SOPInstanceUID), 'meta': str(ds.file_meta.MediaStorageSOPInstanceUID),
  'study': str(ds.StudyInstanceUID), 'series': str(ds.SeriesInstanceUID), 'modality': ds.Modality, 'name': str(ds.PatientName),
  'evStudy': str(ev.StudyInstanceUID), 'evSeries': str(ev.ReferencedSeriesSequence[0].SeriesInstanceUID),
  'evRefs': [str(r.ReferencedSOPInstanceUID) for r in ev.ReferencedSeriesSequence[0].ReferencedSOPSequence],
  'texts': {i.ConceptNameCodeSequence[0].CodeMeaning: i.TextValue for i in ds.ContentSequence if i.ValueType == 'TEXT'},
}))`;
    const r = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const o = JSON.parse(r.stdout) as Record<string, unknown> & { texts: Record<string, string> };
    expect(o).toMatchObject({
      sopClass: BASIC_TEXT_SR, sop: sr.sopInstanceUid, meta: sr.sopInstanceUid, study: STUDY, series: sr.seriesInstanceUid, modality: 'SR',
      name: 'MÜLLER^JÖRG', evStudy: STUDY, evSeries: SERIES, evRefs: [1, 2, 3, 4, 5].map((k) => `${SERIES}.${k}`),
    });
    expect(o.texts['Algorithm Version']).toContain('9.8.7');
    expect(o.texts['Research and triage notice']).toBe(RESEARCH_NOTE);
    expect(o.texts['Triage verdict']).toBe('Tumor');
  });
});

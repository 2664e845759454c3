// A series result as a DICOM Basic Text SR (PS3.3 A.35.1), Part 10, explicit VR little endian, for "Send result to
// PACS" (issue 14): a new series in the analysed study (same Study Instance UID, new Series and SOP Instance UIDs,
// Modality SR, Manufacturer BigBrain), the verdict, the series P(tumour), the counts, the key slices (text and IMAGE
// references), the model name and version, and the research note; the analysed series' instances in the Current
// Requested Procedure Evidence Sequence. The patient and study attributes are copied verbatim from the analysed
// series' headers (patientStudyOf), so the archive files it with that patient and study: it goes from the device to
// the clinic's own PACS through the server's gateway, nowhere else. Pure: bytes out, in the browser and in Node.
import { concat, part10File, sequence, str, type Part10Meta } from './write.ts';

export const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';
export const SR_SERIES_DESCRIPTION = 'BigBrain triage (research)';
export const SR_MANUFACTURER = 'BigBrain';
/** ASCII on purpose: the file keeps the analysed series' Specific Character Set, whatever it is. */
export const RESEARCH_NOTE = 'Research and triage support output - not a medical device; not a diagnosis. Every result must be reviewed by a qualified clinician.';
/** The private coding scheme of the SR's own concept names (PS3.16 8.2: "99" prefix). */
export const CODING_SCHEME = '99BIGBRAIN';

/** The patient and study attributes of the analysed series, as its headers hold them (PN with its carets). */
export interface SrPatientStudy {
  specificCharacterSet: string;
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription: string;
}

/** What patientStudyOf needs of a parsed data set (dicom-parser's DataSet has it): the file's bytes and where each element's value lies. */
export interface RawSource {
  byteArray: Uint8Array;
  elements: Record<string, { dataOffset: number; length: number } | undefined>;
}

/**
 * The attributes to copy, read from a parsed file's data set byte for byte: each value's own bytes (one character a
 * byte, which the writer writes back as such), only the trailing NUL/space padding of PS3.5 6.2 dropped. Not
 * dicom-parser's string(): it trims as JavaScript does, and U+00A0 counts as white space there, so under UTF-8
 * (ISO_IR 192) a name ending in "à" (C3 A0) would lose its last byte.
 */
export function patientStudyOf(ds: RawSource): SrPatientStudy {
  const s = (tag: string) => {
    const el = ds.elements[tag];
    if (!el || !(el.length > 0) || el.dataOffset + el.length > ds.byteArray.length) return '';
    let end = el.dataOffset + el.length;
    while (end > el.dataOffset && (ds.byteArray[end - 1] === 0x00 || ds.byteArray[end - 1] === 0x20)) end--;
    let out = '';
    for (let i = el.dataOffset; i < end; i++) out += String.fromCharCode(ds.byteArray[i]!);
    return out;
  };
  return {
    specificCharacterSet: s('x00080005'),
    patientName: s('x00100010'),
    patientId: s('x00100020'),
    patientBirthDate: s('x00100030'),
    patientSex: s('x00100040'),
    studyInstanceUid: s('x0020000d'),
    studyDate: s('x00080020'),
    studyTime: s('x00080030'),
    studyId: s('x00200010'),
    accessionNumber: s('x00080050'),
    referringPhysicianName: s('x00080090'),
    studyDescription: s('x00081030'),
  };
}

export interface SrInstanceRef {
  sopClassUid: string;
  sopInstanceUid: string;
  instanceNumber: number | null;
}

/** The analysed series: its study and patient, its UID, its instances (each once, a multi-frame file once). */
export interface SrEvidence {
  patientStudy: SrPatientStudy;
  seriesInstanceUid: string;
  seriesDescription: string;
  instances: SrInstanceRef[];
}

export type SrVerdict = 'Tumor' | 'No Tumor' | 'Uncertain' | 'Outside validated use';

export interface SrFindings {
  verdict: SrVerdict;
  /** The series score (the rule's aggregate of the top counted slices' P(tumour)); null when no slice counted. */
  tumorProbability: number | null;
  /** Tumour type ('glioma' …), null when none. */
  label: string | null;
  /** The verdict is flagged uncertain (besides an Uncertain verdict). */
  uncertain: boolean;
  counted: number;
  slices: number;
  /** Why the others did not count, e.g. "Not a brain MRI (2)". */
  notCounted: string[];
  /** Most suspicious first. */
  keySlices: Array<SrInstanceRef & { frame: number | null; tumorProbability: number | null }>;
  /** Every slice analysed (false: cancelled part-way). */
  complete: boolean;
  model: { name: string; version: string; sha256?: string };
}

export interface ResultSrInput {
  evidence: SrEvidence;
  findings: SrFindings;
  /** Content date and time (default: now, the device's local time). */
  now?: Date;
  /** The new series' and instance's UIDs (default: newUid()). */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  seriesNumber?: number;
}

export interface ResultSr {
  bytes: Uint8Array;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** The text the SR holds, one line an item (what the user confirms before sending). */
  lines: string[];
}

/** A UID under the 2.25 root: a random (version 4) UUID as one decimal integer (PS3.5 B.2). Works outside secure contexts. */
export function newUid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let n = 0n;
  for (const x of b) n = (n << 8n) | BigInt(x);
  return `2.25.${n.toString()}`;
}

type Tagged = [tag: number, bytes: Uint8Array];
const tagged = (group: number, elem: number, bytes: Uint8Array): Tagged => [group * 0x10000 + elem, bytes];
const s = (group: number, elem: number, vr: string, value: string): Tagged => tagged(group, elem, str(group, elem, vr, value));
const sq = (group: number, elem: number, items: Uint8Array[]): Tagged => tagged(group, elem, sequence(group, elem, items));
/** Elements in tag order, as a data set or an item's content must be. */
const dataSet = (els: Tagged[]) => concat([...els].sort((a, b) => a[0] - b[0]).map(([, b]) => b));

const code = (value: string, scheme: string, meaning: string) => dataSet([s(0x0008, 0x0100, 'SH', value), s(0x0008, 0x0102, 'SH', scheme), s(0x0008, 0x0104, 'LO', meaning)]);
const conceptName = (value: string, scheme: string, meaning: string): Tagged => sq(0x0040, 0xa043, [code(value, scheme, meaning)]);
const sopRef = (r: SrInstanceRef) => dataSet([s(0x0008, 0x1150, 'UI', r.sopClassUid), s(0x0008, 0x1155, 'UI', r.sopInstanceUid)]);

/** A TEXT content item, CONTAINS (UT: at most 2^32-2 bytes; ours are short). */
const textItem = (concept: [string, string, string], value: string) =>
  dataSet([s(0x0040, 0xa010, 'CS', 'CONTAINS'), s(0x0040, 0xa040, 'CS', 'TEXT'), conceptName(...concept), s(0x0040, 0xa160, 'UT', value)]);

/** An IMAGE content item, CONTAINS, referencing one slice (and its frame in a multi-frame file). */
const imageItem = (concept: [string, string, string], ref: SrInstanceRef, frame: number | null) => {
  const refItem = dataSet([s(0x0008, 0x1150, 'UI', ref.sopClassUid), s(0x0008, 0x1155, 'UI', ref.sopInstanceUid), ...(frame !== null ? [s(0x0008, 0x1160, 'IS', String(frame))] : [])]);
  return dataSet([sq(0x0008, 0x1199, [refItem]), s(0x0040, 0xa010, 'CS', 'CONTAINS'), s(0x0040, 0xa040, 'CS', 'IMAGE'), conceptName(...concept)]);
};

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const da = (d: Date) => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
const tm = (d: Date) => `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
const tz = (d: Date) => {
  const off = -d.getTimezoneOffset();
  return `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
};
const pct = (p: number) => `${(p * 100).toFixed(1)} %`;
const TYPE_NAMES: Record<string, string> = { glioma: 'glioma', meningioma: 'meningioma', pituitary: 'pituitary tumour', notumor: 'no tumour' };

export const CONCEPTS = {
  report: ['18748-4', 'LN', 'Diagnostic imaging report'],
  notice: ['BB001', CODING_SCHEME, 'Research and triage notice'],
  verdict: ['BB002', CODING_SCHEME, 'Triage verdict'],
  probability: ['BB003', CODING_SCHEME, 'Series P(tumour)'],
  type: ['BB004', CODING_SCHEME, 'Tumour type'],
  counts: ['BB005', CODING_SCHEME, 'Slices counted'],
  keySlices: ['BB006', CODING_SCHEME, 'Key slices'],
  keySlice: ['BB007', CODING_SCHEME, 'Key slice'],
  analysed: ['BB008', CODING_SCHEME, 'Analysed series'],
  algorithmName: ['111001', 'DCM', 'Algorithm Name'],
  algorithmVersion: ['111003', 'DCM', 'Algorithm Version'],
} as const satisfies Record<string, [string, string, string]>;

/** The SR's text items: [concept, value], in document order. */
function textItems({ evidence, findings: f }: ResultSrInput): Array<[readonly [string, string, string], string]> {
  const verdict = `${f.verdict}${f.uncertain && f.verdict !== 'Uncertain' ? ' (uncertain)' : ''}${f.complete ? '' : ' (analysis stopped before the last slice)'}`;
  const key = f.keySlices.map((k, i) =>
    `${i + 1}. instance ${k.instanceNumber ?? '?'}${k.frame !== null ? ` frame ${k.frame}` : ''}, P(tumour) ${k.tumorProbability !== null ? pct(k.tumorProbability) : '-'} (SOP Instance UID ${k.sopInstanceUid})`).join('; ');
  const items: Array<[readonly [string, string, string], string]> = [
    [CONCEPTS.notice, RESEARCH_NOTE],
    [CONCEPTS.verdict, verdict],
    [CONCEPTS.probability, f.tumorProbability !== null ? `${f.tumorProbability.toFixed(4)} (${pct(f.tumorProbability)})` : 'none (no slice counted)'],
  ];
  if (f.label && f.verdict !== 'No Tumor' && f.verdict !== 'Outside validated use') items.push([CONCEPTS.type, TYPE_NAMES[f.label] ?? f.label]);
  items.push([CONCEPTS.counts, `${f.counted} of ${f.slices} slices counted${f.notCounted.length ? `; not counted: ${f.notCounted.join(', ')}` : ''}`]);
  items.push([CONCEPTS.keySlices, key || 'none']);
  items.push([CONCEPTS.analysed, `Series Instance UID ${evidence.seriesInstanceUid}${evidence.seriesDescription ? ` (${evidence.seriesDescription})` : ''}, ${evidence.instances.length} instances`]);
  items.push([CONCEPTS.algorithmName, f.model.name]);
  items.push([CONCEPTS.algorithmVersion, `${f.model.version}${f.model.sha256 ? ` (sha256 ${f.model.sha256})` : ''}`]);
  return items;
}

/** The Basic Text SR of a series result, as a Part 10 file. */
export function buildResultSr(input: ResultSrInput): ResultSr {
  const { evidence, findings } = input;
  const ps = evidence.patientStudy;
  if (!ps.studyInstanceUid || !evidence.seriesInstanceUid) throw new Error('The analysed series has no Study or Series Instance UID.');
  const now = input.now ?? new Date();
  const seriesInstanceUid = input.seriesInstanceUid ?? newUid();
  const sopInstanceUid = input.sopInstanceUid ?? newUid();
  if (seriesInstanceUid === evidence.seriesInstanceUid || sopInstanceUid === seriesInstanceUid) throw new Error('The result needs UIDs of its own.');
  const items = textItems(input);
  const content = [
    ...items.map(([c, v]) => textItem([...c], v)),
    ...findings.keySlices.map((k) => imageItem([...CONCEPTS.keySlice], k, k.frame)),
  ];
  const seen = new Set<string>();
  const instances = evidence.instances.filter((i) => !seen.has(i.sopInstanceUid) && seen.add(i.sopInstanceUid));
  const evidenceItem = dataSet([
    sq(0x0008, 0x1115, [dataSet([sq(0x0008, 0x1199, instances.map(sopRef)), s(0x0020, 0x000e, 'UI', evidence.seriesInstanceUid)])]),
    s(0x0020, 0x000d, 'UI', ps.studyInstanceUid),
  ]);
  const els: Tagged[] = [
    s(0x0008, 0x0012, 'DA', da(now)),
    s(0x0008, 0x0013, 'TM', tm(now)),
    s(0x0008, 0x0016, 'UI', BASIC_TEXT_SR),
    s(0x0008, 0x0018, 'UI', sopInstanceUid),
    s(0x0008, 0x0020, 'DA', ps.studyDate),
    s(0x0008, 0x0023, 'DA', da(now)),
    s(0x0008, 0x0030, 'TM', ps.studyTime),
    s(0x0008, 0x0033, 'TM', tm(now)),
    s(0x0008, 0x0050, 'SH', ps.accessionNumber),
    s(0x0008, 0x0060, 'CS', 'SR'),
    s(0x0008, 0x0070, 'LO', SR_MANUFACTURER),
    s(0x0008, 0x0090, 'PN', ps.referringPhysicianName),
    s(0x0008, 0x0201, 'SH', tz(now)),
    s(0x0008, 0x1030, 'LO', ps.studyDescription),
    s(0x0008, 0x103e, 'LO', SR_SERIES_DESCRIPTION),
    s(0x0008, 0x1090, 'LO', findings.model.name),
    sq(0x0008, 0x1111, []),
    s(0x0010, 0x0010, 'PN', ps.patientName),
    s(0x0010, 0x0020, 'LO', ps.patientId),
    s(0x0010, 0x0030, 'DA', ps.patientBirthDate),
    s(0x0010, 0x0040, 'CS', ps.patientSex),
    s(0x0018, 0x1020, 'LO', findings.model.version),
    s(0x0020, 0x000d, 'UI', ps.studyInstanceUid),
    s(0x0020, 0x000e, 'UI', seriesInstanceUid),
    s(0x0020, 0x0010, 'SH', ps.studyId),
    s(0x0020, 0x0011, 'IS', String(input.seriesNumber ?? 9001)),
    s(0x0020, 0x0013, 'IS', '1'),
    s(0x0040, 0xa040, 'CS', 'CONTAINER'),
    conceptName(...CONCEPTS.report),
    s(0x0040, 0xa050, 'CS', 'SEPARATE'),
    sq(0x0040, 0xa372, []),
    sq(0x0040, 0xa375, [evidenceItem]),
    s(0x0040, 0xa491, 'CS', findings.complete ? 'COMPLETE' : 'PARTIAL'),
    s(0x0040, 0xa493, 'CS', 'UNVERIFIED'),
    sq(0x0040, 0xa730, content),
  ];
  if (ps.specificCharacterSet) els.push(s(0x0008, 0x0005, 'CS', ps.specificCharacterSet));
  const meta: Part10Meta = { sopClass: BASIC_TEXT_SR, sopInstance: sopInstanceUid, implementationClassUid: IMPLEMENTATION_CLASS_UID, implementationVersionName: `BIGBRAIN_${findings.model.version}`.slice(0, 16) };
  return {
    bytes: part10File(dataSet(els), meta),
    studyInstanceUid: ps.studyInstanceUid,
    seriesInstanceUid,
    sopInstanceUid,
    lines: items.map(([c, v]) => `${c[2]}: ${v}`),
  };
}

/** (0002,0012): BigBrain's writer, a fixed UID under 2.25. */
export const IMPLEMENTATION_CLASS_UID = '2.25.171294372935716317386254883418437152861';

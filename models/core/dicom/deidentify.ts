// A de-identified copy of a DICOM image, for sending it to the server (issue 13, POST /api/series): a new Part 10
// file that keeps only what decoding, the series grouping and the validated-use rules read, under new UIDs, and
// nothing else (no patient, study, institution, date, private or unknown attribute). Pure: browser and Node.
// Native pixel data is written explicit VR little endian (implicit VR, big endian and deflated files are re-encoded);
// encapsulated pixel data keeps its transfer syntax, its bytes copied as they are.
import type { DataSet, Element } from 'dicom-parser';
import { DicomError } from './errors.ts';
import type { DicomFile } from './parse.ts';

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** BigBrain's implementation class UID in the copies' File Meta Information (a fixed 2.25 UID). */
export const DEIDENTIFIED_IMPLEMENTATION_UID = '2.25.208755366390474893164873216374617826011';

/** Top-level attributes kept, with the VR written when the file has none (implicit VR). */
const KEPT: Record<string, string> = {
  x00080016: 'UI', // SOP Class UID
  x00080060: 'CS', // Modality
  x0008103e: 'LO', // Series Description
  x00180010: 'LO', // Contrast/Bolus Agent
  x00180015: 'CS', // Body Part Examined
  x00180020: 'CS', // Scanning Sequence
  x00180021: 'CS', // Sequence Variant
  x00180050: 'DS', // Slice Thickness
  x00180080: 'DS', // Repetition Time
  x00180081: 'DS', // Echo Time
  x00180082: 'DS', // Inversion Time
  x00200011: 'IS', // Series Number
  x00200013: 'IS', // Instance Number
  x00200032: 'DS', // Image Position (Patient)
  x00200037: 'DS', // Image Orientation (Patient)
};

/** The image pixel, presentation and LUT attributes of group 0028 (PS3.3 C.7.6.3, C.11). */
const KEPT_0028: Record<string, string> = {
  x00280002: 'US', x00280004: 'CS', x00280006: 'US', x00280008: 'IS', x00280010: 'US', x00280011: 'US',
  x00280030: 'DS', x00280034: 'IS', x00280100: 'US', x00280101: 'US', x00280102: 'US', x00280103: 'US',
  x00280106: 'US', x00280107: 'US', x00280301: 'CS',
  x00281050: 'DS', x00281051: 'DS', x00281052: 'DS', x00281053: 'DS', x00281054: 'LO', x00281055: 'LO', x00281056: 'CS',
  x00281101: 'US', x00281102: 'US', x00281103: 'US', x00281201: 'OW', x00281202: 'OW', x00281203: 'OW',
  x00282110: 'CS', x00282112: 'DS', x00282114: 'CS',
  x00283000: 'SQ', x00283010: 'SQ',
};

/** Inside the Modality and VOI LUT Sequences' items. */
const KEPT_IN_LUT: Record<string, string> = { x00283002: 'US', x00283003: 'LO', x00283004: 'LO', x00283006: 'US' };

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** Byte size of one value for the VRs whose values are swapped from big endian; strings are never swapped. */
const WORD: Record<string, number> = { US: 2, SS: 2, OW: 2, AT: 2, UL: 4, SL: 4, FL: 4, OF: 4, OL: 4, FD: 8, OD: 8, SV: 8, UV: 8, OV: 8 };

/** A fresh UID under 2.25 (PS3.5 B.2): the decimal of 128 random bits. */
export function newUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString()}`;
}

/** The new UID for an old one, made once and remembered: the files of one series share their new Study/Series UIDs. */
function mapped(uids: Map<string, string>, old: string): string {
  let v = uids.get(old);
  if (!v) {
    v = newUid();
    uids.set(old, v);
  }
  return v;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const tagNumbers = (tag: string): [number, number] => [parseInt(tag.slice(1, 5), 16), parseInt(tag.slice(5, 9), 16)];

function header(tag: string, vr: string, length: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const v = new DataView(head.buffer);
  const [group, elem] = tagNumbers(tag);
  v.setUint16(0, group, true);
  v.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, length >>> 0, true);
  else v.setUint16(6, length, true);
  return head;
}

function explicitElement(tag: string, vr: string, value: Uint8Array): Uint8Array {
  const padded = value.length % 2 ? concat([value, Uint8Array.of(vr === 'UI' || vr === 'OB' ? 0 : 0x20)]) : value;
  return concat([header(tag, vr, padded.length), padded]);
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const uidElement = (tag: string, uid: string) => explicitElement(tag, 'UI', ascii(uid));

/** An element's value as little-endian bytes (a copy). */
function valueBytes(ds: DataSet, el: Element, vr: string, bigEndian: boolean): Uint8Array {
  const raw = ds.byteArray.slice(el.dataOffset, el.dataOffset + el.length);
  const size = bigEndian ? WORD[vr] : undefined;
  if (size) {
    for (let i = 0; i + size <= raw.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = raw[a]!; raw[a] = raw[b]!; raw[b] = t; }
    }
  }
  return raw;
}

/** The kept elements of one data set, re-encoded explicit VR little endian with defined lengths, in tag order. */
function keptElements(ds: DataSet, kept: Record<string, string>, bigEndian: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const tag of Object.keys(ds.elements).filter((t) => t in kept).sort()) {
    const el = ds.elements[tag]!;
    const vr = el.vr && /^[A-Z]{2}$/.test(el.vr) ? el.vr : kept[tag]!;
    if (vr === 'SQ' || el.items) {
      const items = (el.items ?? []).map((item) => {
        const body = concat(keptElements(item.dataSet!, KEPT_IN_LUT, bigEndian));
        const head = new Uint8Array(8);
        const v = new DataView(head.buffer);
        v.setUint16(0, 0xfffe, true);
        v.setUint16(2, 0xe000, true);
        v.setUint32(4, body.length, true);
        return concat([head, body]);
      });
      out.push(explicitElement(tag, 'SQ', concat(items)));
    } else {
      out.push(explicitElement(tag, vr, valueBytes(ds, el, vr, bigEndian)));
    }
  }
  return out;
}

const SEQUENCE_DELIMITER = Uint8Array.of(0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);

function pixelDataElement(file: DicomFile): Uint8Array {
  const ds = file.dataSet;
  const el = file.pixelData!;
  const syntax = file.transferSyntax;
  if (syntax.codec !== 'native') {
    // Encapsulated (PS3.5 A.4): the items as they are, behind an OB header of undefined length.
    const body = ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
    const end = body.subarray(Math.max(0, body.length - 8));
    const delimited = end.length === 8 && end.every((b, i) => b === SEQUENCE_DELIMITER[i]);
    return concat([header('x7fe00010', 'OB', 0xffffffff), body, ...(delimited ? [] : [SEQUENCE_DELIMITER])]);
  }
  const bits = file.image!.bitsAllocated;
  const vr = bits > 8 ? 'OW' : 'OB';
  const raw = ds.byteArray.slice(el.dataOffset, el.dataOffset + el.length);
  const size = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
  if (syntax.bigEndian && size > 1) {
    for (let i = 0; i + size <= raw.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = raw[a]!; raw[a] = raw[b]!; raw[b] = t; }
    }
  }
  return explicitElement('x7fe00010', vr, raw);
}

export interface DeidentifiedFile {
  bytes: Uint8Array;
  transferSyntax: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/**
 * The de-identified copy of one opened image file. `uids` maps original UIDs to new ones and is filled as it goes:
 * pass the same map for every file of a series (or a folder) so their new Study and Series UIDs still match.
 * Enhanced (functional-group) objects are refused: their geometry and windows live in sequences this copy does not
 * rebuild.
 */
export function deidentify(file: DicomFile, uids: Map<string, string>): DeidentifiedFile {
  const ds = file.dataSet;
  if (!file.image || !file.pixelData) throw new DicomError('no_image', 'This DICOM file holds no image: nothing to de-identify.');
  if (ds.elements.x52009229 || ds.elements.x52009230) {
    throw new DicomError('unsupported_image', 'Enhanced (multi-frame functional group) DICOM cannot be de-identified for the server yet: analyse it on this device.');
  }
  const syntax = file.transferSyntax;
  const transferSyntax = syntax.codec === 'native' ? EXPLICIT_VR_LITTLE_ENDIAN : syntax.uid;
  const sopClass = file.meta.sopClassUid.replace(/\0/g, '') || '1.2.840.10008.5.1.4.1.1.4';
  const sopInstanceUid = mapped(uids, file.meta.sopInstanceUid || `sop:${uids.size}`);
  const studyInstanceUid = mapped(uids, file.meta.studyInstanceUid || 'study:');
  const seriesInstanceUid = mapped(uids, file.meta.seriesInstanceUid || 'series:');
  const be = syntax.bigEndian;
  const els: Array<[string, Uint8Array]> = [];
  const push = (tag: string, bytes: Uint8Array) => els.push([tag, bytes]);
  for (const e of keptElements(ds, KEPT, be)) push(tagOf(e), e);
  for (const e of keptElements(ds, KEPT_0028, be)) push(tagOf(e), e);
  push('x00080018', uidElement('x00080018', sopInstanceUid));
  push('x00120062', explicitElement('x00120062', 'CS', ascii('YES'))); // Patient Identity Removed
  push('x0020000d', uidElement('x0020000d', studyInstanceUid));
  push('x0020000e', uidElement('x0020000e', seriesInstanceUid));
  push('x7fe00010', pixelDataElement(file));
  els.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const meta = concat([
    explicitElement('x00020001', 'OB', Uint8Array.of(0, 1)),
    uidElement('x00020002', sopClass),
    uidElement('x00020003', sopInstanceUid),
    uidElement('x00020010', transferSyntax),
    uidElement('x00020012', DEIDENTIFIED_IMPLEMENTATION_UID),
    explicitElement('x00020013', 'SH', ascii('BIGBRAIN_DEID')),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, meta.length, true);
  const preamble = new Uint8Array(132);
  preamble.set(ascii('DICM'), 128);
  const bytes = concat([preamble, explicitElement('x00020000', 'UL', groupLength), meta, ...els.map(([, b]) => b)]);
  return { bytes, transferSyntax, sopInstanceUid, studyInstanceUid, seriesInstanceUid };
}

function tagOf(encoded: Uint8Array): string {
  const v = new DataView(encoded.buffer, encoded.byteOffset, 4);
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `x${hex(v.getUint16(0, true))}${hex(v.getUint16(2, true))}`;
}

// Writes DICOM byte by byte, explicit VR little endian (PS3.5 7.1.2): elements, items and sequences, and the Part 10
// framing (preamble, "DICM", File Meta Information). Shared: the app's result SR (result-sr.ts) and the test fixtures
// (models/scripts/dicom-write.ts, which adds images and the lies a corrupt file tells) build on it. Lengths can be
// given explicitly, so a caller can also write a length that lies. Text is written one byte a character (the bytes
// dicom-parser read it from, in the file's own Specific Character Set).

/** The length that means "until a delimiter" (PS3.5 7.1.2). */
export const UNDEFINED_LENGTH = 0xffffffff;

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One element. `length` defaults to the value's; pass another to write a length that lies. */
export function element(group: number, elem: number, vr: string, value: Uint8Array, length = value.length): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const v = new DataView(head.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, length >>> 0, true);
  else v.setUint16(6, length & 0xffff, true);
  return concat([head, value]);
}

export const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** A text value padded to even length: UI with NUL, the rest with a space (PS3.5 6.2). */
export function text(s: string, vr = 'LO'): Uint8Array {
  return ascii(s.length % 2 ? s + (vr === 'UI' ? '\0' : ' ') : s);
}

export const str = (group: number, elem: number, vr: string, s: string) => element(group, elem, vr, text(s, vr));

export function numbers(values: readonly number[], size: 2 | 4, signed = false): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (size === 2 && signed) v.setInt16(i * 2, x, true);
    else if (size === 2) v.setUint16(i * 2, x, true);
    else if (signed) v.setInt32(i * 4, x, true);
    else v.setUint32(i * 4, x, true);
  });
  return out;
}

export const us = (group: number, elem: number, ...values: number[]) => element(group, elem, 'US', numbers(values, 2));
export const ss = (group: number, elem: number, ...values: number[]) => element(group, elem, 'SS', numbers(values, 2, true));
export const ul = (group: number, elem: number, ...values: number[]) => element(group, elem, 'UL', numbers(values, 4));

/** (FFFE,E000) Item; items carry no VR. */
export function item(content: Uint8Array, length = content.length): Uint8Array {
  return concat([numbers([0xfffe, 0xe000], 2), numbers([length >>> 0], 4), content]);
}
export const ITEM_DELIMITER = concat([numbers([0xfffe, 0xe00d], 2), numbers([0], 4)]);
export const SEQUENCE_DELIMITER = concat([numbers([0xfffe, 0xe0dd], 2), numbers([0], 4)]);

/** A sequence of items, of defined length or (undefinedLength) closed by delimiters. */
export function sequence(group: number, elem: number, items: readonly Uint8Array[], undefinedLength = false): Uint8Array {
  if (!undefinedLength) return element(group, elem, 'SQ', concat(items.map((i) => item(i))));
  const body = concat(items.map((i) => concat([item(i, UNDEFINED_LENGTH), ITEM_DELIMITER])));
  return element(group, elem, 'SQ', concat([body, SEQUENCE_DELIMITER]), UNDEFINED_LENGTH);
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export interface Part10Meta {
  transferSyntax?: string;
  sopClass: string;
  sopInstance: string;
  /** (0002,0012) and (0002,0013): who wrote the file. */
  implementationClassUid: string;
  implementationVersionName: string;
}

/** Preamble, "DICM" and the File Meta Information (group 0002, with its group length) before a data set. */
export function part10File(dataSet: Uint8Array, m: Part10Meta): Uint8Array {
  const meta = concat([
    element(0x0002, 0x0001, 'OB', Uint8Array.of(0, 1)),
    str(0x0002, 0x0002, 'UI', m.sopClass),
    str(0x0002, 0x0003, 'UI', m.sopInstance),
    str(0x0002, 0x0010, 'UI', m.transferSyntax ?? EXPLICIT_VR_LITTLE_ENDIAN),
    str(0x0002, 0x0012, 'UI', m.implementationClassUid),
    str(0x0002, 0x0013, 'SH', m.implementationVersionName),
  ]);
  const preamble = new Uint8Array(132);
  preamble.set(ascii('DICM'), 128);
  return concat([preamble, ul(0x0002, 0x0000, meta.length), meta, dataSet]);
}

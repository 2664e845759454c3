// Is this DICOM, and how is it framed? Part 10 (preamble + "DICM"), a meta header with no preamble, or a bare
// data set as some old scanners and CD writers leave it. By content only, never by file name.
export type Framing =
  | { kind: 'part10' }
  | { kind: 'meta-no-preamble' }
  | { kind: 'bare'; transferSyntaxUid: string };

const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;
const VRS = new Set('AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));
const vrAt = (b: Uint8Array, at: number) => (isUpper(b[at]) && isUpper(b[at + 1]) ? String.fromCharCode(b[at]!, b[at + 1]!) : '');

export function dicomFraming(bytes: Uint8Array): Framing | null {
  if (bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d) {
    return { kind: 'part10' };
  }
  if (bytes.length < 12) return null;
  const groupLe = bytes[0]! | (bytes[1]! << 8);
  const elementLe = bytes[2]! | (bytes[3]! << 8);
  const explicit = VRS.has(vrAt(bytes, 4));
  if (groupLe === 0x0002 && explicit && elementLe <= 0x0100) return { kind: 'meta-no-preamble' };
  // A bare data set starts in group 0008 (Identifying): little endian 08 00, big endian 00 08.
  if (groupLe === 0x0008 && elementLe <= 0x0100) {
    if (explicit) return { kind: 'bare', transferSyntaxUid: '1.2.840.10008.1.2.1' };
    const length = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16)) + bytes[7]! * 0x1000000;
    return length < bytes.length ? { kind: 'bare', transferSyntaxUid: '1.2.840.10008.1.2' } : null;
  }
  if (groupLe === 0x0800 && explicit && (bytes[3]! | (bytes[2]! << 8)) <= 0x0100) {
    return { kind: 'bare', transferSyntaxUid: '1.2.840.10008.1.2.2' };
  }
  return null;
}

export const isDicom = (bytes: Uint8Array): boolean => dicomFraming(bytes) !== null;

// What a JPEG's markers say before its first scan: the frame header, an ICC profile, the Adobe colour transform
// and the EXIF orientation. Read without decoding, so a caller can choose a decoder (or refuse) first.

export interface JpegFrame {
  /** The SOF marker: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, … (0xf7 JPEG-LS). */
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
}

export interface JpegMarkers {
  frame: JpegFrame | null;
  /** An APP2 ICC_PROFILE segment: the colours need colour management. */
  icc: boolean;
  /** The APP14 Adobe segment's transform flag (0 = RGB/CMYK as stored, 1 = YCbCr, 2 = YCCK); null without one. */
  adobeTransform: number | null;
  /** EXIF Orientation (1–8); null without one. */
  orientation: number | null;
}

const ascii = (b: Uint8Array, at: number, text: string) => [...text].every((ch, k) => b[at + k] === ch.charCodeAt(0));

/** The Orientation tag (0x0112) of IFD0 in an APP1 "Exif\0\0" segment's TIFF data; null when absent or malformed. */
function exifOrientation(b: Uint8Array, start: number, end: number): number | null {
  const tiff = start + 6;
  if (end - tiff < 8) return null;
  const little = b[tiff] === 0x49 && b[tiff + 1] === 0x49;
  if (!little && !(b[tiff] === 0x4d && b[tiff + 1] === 0x4d)) return null;
  const u16 = (at: number) => (little ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!);
  const u32 = (at: number) => (little ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2));
  const ifd = tiff + u32(tiff + 4);
  if (ifd + 2 > end) return null;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + 12 * k;
    if (entry + 12 > end) return null;
    if (u16(entry) === 0x0112) return u16(entry + 8);
  }
  return null;
}

export function jpegMarkers(b: Uint8Array): JpegMarkers {
  const out: JpegMarkers = { frame: null, icc: false, adobeTransform: null, orientation: null };
  for (let i = 2; i + 3 < b.length; ) {
    if (b[i] !== 0xff) return out;
    const marker = b[i + 1]!;
    // Fill bytes and the markers that stand alone (TEM, RSTn, SOI) carry no length (ITU T.81 B.1.1.3, B.1.1.4).
    if (marker === 0xff) { i += 1; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) { i += 2; continue; }
    if (marker === 0xda || marker === 0xd9) return out;
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    const start = i + 4, end = Math.min(b.length, i + 2 + length);
    const sof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (sof && i + 9 < b.length && !out.frame) {
      out.frame = { marker, precision: b[i + 4]!, height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]!, components: b[i + 9]! };
    } else if (marker === 0xe1 && ascii(b, start, 'Exif\0\0') && out.orientation === null) {
      out.orientation = exifOrientation(b, start, end);
    } else if (marker === 0xe2 && ascii(b, start, 'ICC_PROFILE\0')) {
      out.icc = true;
    } else if (marker === 0xee && ascii(b, start, 'Adobe') && end - start >= 12) {
      out.adobeTransform = b[start + 11]!;
    }
    if (length < 2) return out;
    i += 2 + length;
  }
  return out;
}

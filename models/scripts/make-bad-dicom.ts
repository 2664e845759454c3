// Bad DICOM, generated: every way a file can be cut, lie about its lengths, nest without end, claim absurd sizes,
// point outside itself or name what does not exist. Each case must get a DicomError (or decode), never another
// exception, a hang or a huge allocation: tests/models/dicom-bad.test.ts runs them through the reader, and the API
// suite through POST /detect.
//
//   npx tsx models/scripts/make-bad-dicom.ts <out-folder> [base.dcm]
//
// writes one <name>.dcm a case. The base file (explicit VR little endian, Part 10, e.g. pydicom's MR_small.dcm) is
// cut at every element boundary; without one, a generated 64 × 64 MR slice is used.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  concat, element, encapsulatedPixelData, fromElements, imageElements, ITEM_DELIMITER, item, SEQUENCE_DELIMITER, str, ul, UNDEFINED_LENGTH, us,
  type ImageSpec, type TaggedElement,
} from './dicom-write.ts';

export interface BadCase {
  name: string;
  bytes: Uint8Array;
}

const RLE = '1.2.840.10008.1.2.5';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const JPEG_LS = '1.2.840.10008.1.2.4.80';
const J2K = '1.2.840.10008.1.2.4.90';
const HTJ2K = '1.2.840.10008.1.2.4.201';
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

const SIDE = 64;

/** A 64 × 64 16-bit MR slice (a bright disc on black) with a window and a fake patient. */
function baseSpec(): ImageSpec {
  const pixels = new Uint16Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const r = Math.hypot(x - SIDE / 2, y - SIDE / 2);
      pixels[y * SIDE + x] = r < 24 ? 400 + ((x * 37 + y * 11) % 300) : 0;
    }
  }
  return {
    rows: SIDE, columns: SIDE, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2', pixels,
    window: { center: 400, width: 800 },
    identity: { patientName: 'DOE^JANE', patientId: 'PID-12345', birthDate: '19700101', institution: 'ST FAKE GENERAL HOSPITAL', studyUid: '2.25.77', seriesUid: '2.25.78', sopInstanceUid: '2.25.79' },
  };
}

export const generatedBase = (): Uint8Array => fromElements(imageElements(baseSpec()));

// ---- walking a file ----------------------------------------------------------------------------------------

export interface ElementAt {
  tag: number;
  vr: string;
  /** Where its header starts, where its value starts, how long the value says it is. */
  start: number;
  valueStart: number;
  length: number;
  /** 0 at the top level (and the meta header), more inside sequences; items are elements too (vr ''). */
  depth: number;
}

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) + u16(b, at + 2) * 0x10000) >>> 0;

/** Every element and item header of an explicit VR little endian Part 10 file, in file order. */
export function walk(bytes: Uint8Array): ElementAt[] {
  const out: ElementAt[] = [];
  // Ends of the sequences and items we are inside (Infinity: undefined length, closed by a delimiter).
  const ends: number[] = [];
  let inPixelItems = false;
  let p = 132;
  while (p + 8 <= bytes.length) {
    while (ends.length && p >= ends[ends.length - 1]!) ends.pop();
    const tag = u16(bytes, p) * 0x10000 + u16(bytes, p + 2);
    if (tag >>> 16 === 0xfffe) {
      const length = u32(bytes, p + 4);
      out.push({ tag, vr: '', start: p, valueStart: p + 8, length, depth: ends.length });
      const isItem = (tag & 0xffff) === 0xe000;
      if ((tag & 0xffff) === 0xe0dd) {
        inPixelItems = false;
        ends.pop();
      } else if ((tag & 0xffff) === 0xe00d) {
        ends.pop();
      }
      if (isItem && inPixelItems) p += 8 + length;
      else {
        if (isItem) ends.push(length === UNDEFINED_LENGTH ? Infinity : p + 8 + length);
        p += 8;
      }
      continue;
    }
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    const long = LONG_VRS.has(vr);
    const header = long ? 12 : 8;
    const length = long ? u32(bytes, p + 8) : u16(bytes, p + 6);
    out.push({ tag, vr, start: p, valueStart: p + header, length, depth: ends.length });
    if (vr === 'SQ') {
      ends.push(length === UNDEFINED_LENGTH ? Infinity : p + header + length);
      p += header;
    } else if (length === UNDEFINED_LENGTH) {
      inPixelItems = true;
      ends.push(Infinity);
      p += header;
    } else {
      p += header + length;
    }
  }
  return out;
}

// ---- editing bytes ---------------------------------------------------------------------------------------------

const hex = (tag: number) => tag.toString(16).padStart(8, '0');

function withLength(bytes: Uint8Array, el: ElementAt, length: number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  if (el.vr === '') v.setUint32(el.start + 4, length >>> 0, true);
  else if (LONG_VRS.has(el.vr)) v.setUint32(el.start + 8, length >>> 0, true);
  else v.setUint16(el.start + 6, length & 0xffff, true);
  return out;
}

const splice = (bytes: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array(0)) =>
  concat([bytes.subarray(0, at), insert, bytes.subarray(at + remove)]);

/** The base's elements with some replaced (bytes), removed (null) or added. */
function edited(changes: Record<number, Uint8Array | null>, spec: ImageSpec = baseSpec(), transferSyntax?: string): Uint8Array {
  const els: TaggedElement[] = imageElements(spec).filter(([tag]) => !(tag in changes));
  for (const [tag, bytes] of Object.entries(changes)) if (bytes) els.push([Number(tag), bytes]);
  return fromElements(els, transferSyntax ? { transferSyntax } : {});
}

const T = (group: number, elem: number) => group * 0x10000 + elem;
const ROWS = T(0x0028, 0x0010), COLUMNS = T(0x0028, 0x0011), FRAMES = T(0x0028, 0x0008), PIXEL_DATA = T(0x7fe0, 0x0010);

/** RLE Lossless frame (PS3.5 G) of 16-bit samples: two byte planes, literal runs only. */
function rleFrame(pixels: Uint16Array): Uint8Array {
  const planes = [Uint8Array.from(pixels, (v) => v >> 8), Uint8Array.from(pixels, (v) => v & 0xff)];
  const segments = planes.map((plane) => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < plane.length; i += 128) {
      const run = plane.subarray(i, i + 128);
      parts.push(Uint8Array.of(run.length - 1), run);
    }
    return concat(parts);
  });
  const header = new Uint8Array(64);
  const v = new DataView(header.buffer);
  v.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((s, i) => {
    v.setUint32(4 + 4 * i, offset, true);
    offset += s.length;
  });
  return concat([header, ...segments]);
}

/** An encapsulated copy of the base slice in `ts`, with the given fragments (and offset table, and frames). */
function encapsulated(ts: string, fragments: Uint8Array[], { offsets = null, frames, changes = {} }: { offsets?: number[] | null; frames?: number; changes?: Record<number, Uint8Array | null> } = {}): Uint8Array {
  const spec = { ...baseSpec(), ...(frames !== undefined ? { frames } : {}) };
  return edited({ [PIXEL_DATA]: encapsulatedPixelData(fragments, offsets), ...changes }, spec, ts);
}

/** JPEG markers: SOI, a frame header of the given type and size, a Huffman table, a scan header, entropy bytes, EOI. */
function jpegCodestream(sof: number, { precision = 8, width = SIDE, height = SIDE, entropy = new Uint8Array(64).fill(0x55), eoi = true } = {}): Uint8Array {
  const m = (marker: number, body: number[]) => Uint8Array.of(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  const sofBody = [precision, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0];
  // One DC table: a single 1-bit code for category 0.
  const dht = m(0xc4, [0x00, 1, ...new Array<number>(15).fill(0), 0]);
  const sos = m(0xda, [1, 1, 0x00, sof === 0xc3 ? 1 : 0, sof === 0xc3 ? 0 : 63, 0]);
  return concat([Uint8Array.of(0xff, 0xd8), m(sof, sofBody), dht, sos, entropy, eoi ? Uint8Array.of(0xff, 0xd9) : new Uint8Array(0)]);
}

/** JPEG-LS (SOF55) header claiming a size, then garbage. */
function jpegLsCodestream(width: number, height: number): Uint8Array {
  return concat([Uint8Array.of(0xff, 0xd8, 0xff, 0xf7, 0, 11, 16, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0), Uint8Array.of(0xff, 0xda, 0, 8, 1, 1, 0, 0, 0, 0), new Uint8Array(256).fill(0x33), Uint8Array.of(0xff, 0xd9)]);
}

/** JPEG 2000 codestream: SOC, SIZ claiming a size, then garbage. */
function j2kCodestream(width: number, height: number): Uint8Array {
  const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  const siz = [0, 0, ...be32(width), ...be32(height), ...be32(0), ...be32(0), ...be32(width), ...be32(height), ...be32(0), ...be32(0), 0, 1, 15, 1, 1];
  return concat([Uint8Array.of(0xff, 0x4f, 0xff, 0x51, (siz.length + 2) >> 8, (siz.length + 2) & 0xff, ...siz), new Uint8Array(200).fill(0x77), Uint8Array.of(0xff, 0xd9)]);
}

/** A sequence nested `depth` deep: the headers of every level, the leaf, then (undefined length) the delimiters. */
function nested(depth: number, undefinedLength: boolean, delimiters = true): Uint8Array {
  const leaf = str(0x0008, 0x0100, 'SH', 'LEAF');
  const level = 20; // SQ header (12) + item header (8)
  const out = new Uint8Array(depth * level + leaf.length + (undefinedLength && delimiters ? depth * 16 : 0));
  const v = new DataView(out.buffer);
  for (let i = 0; i < depth; i++) {
    const at = i * level;
    const inside = (depth - i) * level - 12 + leaf.length; // what this level's SQ value holds, defined length
    v.setUint16(at, 0x0008, true);
    v.setUint16(at + 2, 0x1140, true);
    out.set([0x53, 0x51], at + 4); // "SQ"
    v.setUint32(at + 8, undefinedLength ? UNDEFINED_LENGTH : inside, true);
    v.setUint16(at + 12, 0xfffe, true);
    v.setUint16(at + 14, 0xe000, true);
    v.setUint32(at + 16, undefinedLength ? UNDEFINED_LENGTH : inside - 8, true);
  }
  out.set(leaf, depth * level);
  if (undefinedLength && delimiters) {
    const closing = concat([ITEM_DELIMITER, SEQUENCE_DELIMITER]);
    for (let i = 0; i < depth; i++) out.set(closing, depth * level + leaf.length + i * 16);
  }
  return out;
}

// ---- the cases -------------------------------------------------------------------------------------------------

export function makeBadDicom(base: Uint8Array = generatedBase()): BadCase[] {
  const cases: BadCase[] = [];
  const add = (name: string, bytes: Uint8Array) => cases.push({ name, bytes });
  const els = walk(base);
  if (els.length < 10) throw new Error('the base file is not explicit VR little endian Part 10');
  const rle = rleFrame(baseSpec().pixels as Uint16Array);

  // Truncation: at every element boundary, inside every header, inside every value.
  const cuts = new Map<number, string>([[0, 'empty'], [1, 'one-byte'], [64, 'in-preamble'], [128, 'before-dicm'], [132, 'after-dicm']]);
  for (const el of els) {
    const id = `${hex(el.tag)}-${el.start}`;
    if (!cuts.has(el.start)) cuts.set(el.start, `at-${id}`);
    if (!cuts.has(el.start + 4)) cuts.set(el.start + 4, `in-header-${id}`);
    const mid = el.valueStart + Math.floor(Math.min(el.length, base.length - el.valueStart) / 2);
    if (el.length >= 2 && el.length !== UNDEFINED_LENGTH && !cuts.has(mid)) cuts.set(mid, `in-value-${id}`);
  }
  cuts.delete(base.length);
  for (const [at, name] of [...cuts].sort((a, b) => a[0] - b[0])) if (at < base.length) add(`truncated-${name}`, base.slice(0, at));
  add('truncated-last-byte', base.slice(0, base.length - 1));

  // Lengths that lie: past the end of the file, odd, one short, zero — on every top-level element.
  for (const el of els.filter((e) => e.depth === 0 && e.vr !== '')) {
    const id = `${hex(el.tag)}-${el.start}`;
    add(`length-past-end-${id}`, withLength(base, el, LONG_VRS.has(el.vr) ? 0xfffffff0 : 0xffff));
    if (el.length !== UNDEFINED_LENGTH) {
      add(`length-odd-${id}`, withLength(base, el, el.length % 2 ? el.length + 2 : el.length + 1));
      if (el.length > 0) add(`length-short-${id}`, withLength(base, el, el.length - 1));
    }
  }
  // ... and inside sequences and items, where there are any.
  for (const el of els.filter((e) => e.depth > 0).slice(0, 20)) add(`length-past-end-nested-${hex(el.tag)}-${el.start}`, withLength(base, el, 0xfffffff0));

  // Undefined lengths without delimiters.
  const pixelAt = els.find((e) => e.tag === PIXEL_DATA && e.depth === 0);
  const openSequence = concat([element(0x0008, 0x1140, 'SQ', new Uint8Array(0), UNDEFINED_LENGTH), item(str(0x0008, 0x1150, 'UI', '1.2.3'), UNDEFINED_LENGTH)]);
  if (pixelAt) add('undefined-sequence-no-delimiters-before-pixel-data', splice(base, pixelAt.start, 0, openSequence));
  add('undefined-sequence-no-delimiters-at-end', concat([base, openSequence]));
  add('undefined-sequence-item-no-item-delimiter', concat([base, element(0x0008, 0x1140, 'SQ', new Uint8Array(0), UNDEFINED_LENGTH), item(str(0x0008, 0x1150, 'UI', '1.2.3'), UNDEFINED_LENGTH), SEQUENCE_DELIMITER]));
  add('undefined-sequence-only-header', concat([base, element(0x0009, 0x1001, 'SQ', new Uint8Array(0), UNDEFINED_LENGTH)]));
  add('undefined-un-element', concat([base, element(0x0009, 0x1002, 'UN', new Uint8Array(40).fill(7), UNDEFINED_LENGTH)]));
  add('undefined-native-pixel-data', edited({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'OW', new Uint8Array(SIDE * SIDE * 2).fill(1), UNDEFINED_LENGTH) }));
  add('undefined-pixel-data-no-sequence-delimiter', (() => {
    const b = encapsulated(RLE, [rle]);
    return b.slice(0, b.length - 8);
  })());
  add('undefined-pixel-data-no-items', edited({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'OB', new Uint8Array(0), UNDEFINED_LENGTH) }, baseSpec(), RLE));

  // Sequences nested 10,000 deep, of defined and undefined length, with and without delimiters; and wide.
  for (const [name, seq] of [
    ['nested-10000-defined', nested(10_000, false)],
    ['nested-10000-undefined', nested(10_000, true)],
    ['nested-10000-undefined-no-delimiters', nested(10_000, true, false)],
    ['nested-100000-defined', nested(100_000, false)],
  ] as const) {
    add(name, edited({ [T(0x0008, 0x1140)]: seq }));
  }
  add('sequence-100000-items', edited({ [T(0x0008, 0x1140)]: element(0x0008, 0x1140, 'SQ', concat(Array.from({ length: 100_000 }, () => item(new Uint8Array(0))))) }));

  // Sizes: 65535³ and friends, refused before any pixel is decoded.
  const size = (rows: number, columns: number, frames?: string) => edited({ [ROWS]: us(0x0028, 0x0010, rows), [COLUMNS]: us(0x0028, 0x0011, columns), ...(frames ? { [FRAMES]: str(0x0028, 0x0008, 'IS', frames) } : {}) });
  add('size-65535-cubed', size(65535, 65535, '65535'));
  add('size-65535-squared', size(65535, 65535));
  add('size-frames-65535', size(SIDE, SIDE, '65535'));
  add('size-frames-2147483647', size(SIDE, SIDE, '2147483647'));
  add('size-frames-1e30', size(SIDE, SIDE, '1e30'));
  add('size-frames-zero', size(SIDE, SIDE, '0'));
  add('size-frames-negative', size(SIDE, SIDE, '-3'));
  add('size-frames-text', size(SIDE, SIDE, 'ABC'));
  add('size-frames-two-but-one-frame-of-data', size(SIDE, SIDE, '2'));
  add('size-rows-zero', size(0, SIDE));
  add('size-columns-zero', size(SIDE, 0));
  add('size-rows-larger-than-data', size(65535, 1));
  add('size-encapsulated-65535-cubed', encapsulated(RLE, [rle], { changes: { [ROWS]: us(0x0028, 0x0010, 65535), [COLUMNS]: us(0x0028, 0x0011, 65535), [FRAMES]: str(0x0028, 0x0008, 'IS', '65535') } }));

  // Fragments and offset tables that point outside the file or disagree with it.
  add('fragments-offset-table-outside', encapsulated(RLE, [rle, rle], { offsets: [0, 0x7ffffff0], frames: 2 }));
  add('fragments-offset-table-first-outside', encapsulated(RLE, [rle], { offsets: [0x40000000], frames: 1 }));
  add('fragments-offset-table-backwards', encapsulated(RLE, [rle, rle], { offsets: [rle.length + 8, 0], frames: 2 }));
  add('fragments-offset-table-too-short', encapsulated(RLE, [rle, rle, rle], { offsets: [0], frames: 3 }));
  add('fragments-offset-table-misaligned', encapsulated(RLE, [rle, rle], { offsets: [0, 3], frames: 2 }));
  add('fragments-more-frames-than-fragments', encapsulated(RLE, [rle, rle], { frames: 5 }));
  add('fragments-none', edited({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'OB', concat([item(new Uint8Array(0)), SEQUENCE_DELIMITER]), UNDEFINED_LENGTH) }, baseSpec(), RLE));
  add('fragment-empty', encapsulated(RLE, [new Uint8Array(0)]));
  add('fragment-length-past-end', (() => {
    const b = encapsulated(RLE, [rle]);
    const frag = walk(b).filter((e) => e.tag === 0xfffee000).at(-1)!;
    return withLength(b, frag, 0x7ffffff0);
  })());
  add('fragment-length-odd', (() => {
    const b = encapsulated(RLE, [rle]);
    const frag = walk(b).filter((e) => e.tag === 0xfffee000).at(-1)!;
    return withLength(b, frag, frag.length - 1);
  })());
  add('fragment-wrong-item-tag', (() => {
    const b = encapsulated(RLE, [rle]);
    const frag = walk(b).filter((e) => e.tag === 0xfffee000).at(-1)!;
    const out = b.slice();
    out.set([0xfe, 0xff, 0x0d, 0xe0], frag.start);
    return out;
  })());
  add('fragments-in-native-syntax', encapsulated('1.2.840.10008.1.2.1', [rle]));
  add('native-in-encapsulated-syntax', edited({}, baseSpec(), RLE));

  // Wrong VRs.
  add('vr-rows-as-ob', edited({ [ROWS]: element(0x0028, 0x0010, 'OB', Uint8Array.of(64, 0)) }));
  add('vr-rows-as-fd', edited({ [ROWS]: element(0x0028, 0x0010, 'FD', Uint8Array.of(64, 0)) }));
  add('vr-rows-as-sq', edited({ [ROWS]: element(0x0028, 0x0010, 'SQ', Uint8Array.of(64, 0, 0, 0)) }));
  add('vr-garbage-bytes', edited({ [ROWS]: concat([Uint8Array.of(0x28, 0, 0x10, 0, 0x01, 0x02, 2, 0), Uint8Array.of(64, 0)]) }));
  add('vr-lowercase', edited({ [ROWS]: element(0x0028, 0x0010, 'us', Uint8Array.of(64, 0)) }));
  add('vr-pixel-data-as-sq', edited({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'SQ', new Uint8Array(SIDE * SIDE * 2).fill(0xfe)) }));
  add('vr-pixel-data-as-us', edited({ [PIXEL_DATA]: concat([Uint8Array.of(0xe0, 0x7f, 0x10, 0x00, 0x55, 0x53, 0x00, 0x20), new Uint8Array(SIDE * SIDE * 2)]) }));
  add('vr-window-as-us', edited({ [T(0x0028, 0x1050)]: us(0x0028, 0x1050, 400), [T(0x0028, 0x1051)]: us(0x0028, 0x1051, 0) }));
  add('vr-transfer-syntax-as-us', (() => {
    const b = base.slice();
    const ts = els.find((e) => e.tag === 0x00020010)!;
    b.set([0x55, 0x53], ts.start + 4);
    return b;
  })());

  // Transfer syntaxes no one defines, that this reader does not decode, or that the bytes do not follow.
  const withSyntax = (uid: string) => fromElements(imageElements(baseSpec()), { transferSyntax: uid });
  add('syntax-unknown', withSyntax('1.2.840.10008.9.9.9'));
  add('syntax-empty', withSyntax(''));
  add('syntax-garbage', withSyntax('\u00ff\u00fe\u0001 not a uid'));
  add('syntax-jpeg-xl', withSyntax('1.2.840.10008.1.2.4.110'));
  add('syntax-mpeg2', withSyntax('1.2.840.10008.1.2.4.100'));
  add('syntax-deflated-not-deflated', withSyntax('1.2.840.10008.1.2.1.99'));
  add('syntax-big-endian-body-little', withSyntax('1.2.840.10008.1.2.2'));
  add('syntax-implicit-body-explicit', withSyntax('1.2.840.10008.1.2'));
  add('syntax-missing', (() => {
    // the group length still counts the removed element
    const ts = els.find((e) => e.tag === 0x00020010)!;
    return splice(base, ts.start, ts.valueStart + ts.length - ts.start);
  })());

  // RLE frames that lie.
  const rleWith = (edit: (v: DataView, frame: Uint8Array) => Uint8Array | void) => {
    const f = rle.slice();
    const out = edit(new DataView(f.buffer), f) ?? f;
    return encapsulated(RLE, [out]);
  };
  add('rle-segments-zero', rleWith((v) => v.setUint32(0, 0, true)));
  add('rle-segments-sixteen', rleWith((v) => v.setUint32(0, 16, true)));
  add('rle-segments-one-for-16-bit', rleWith((v) => v.setUint32(0, 1, true)));
  add('rle-segment-offset-outside', rleWith((v) => v.setUint32(8, 0x7fffffff, true)));
  add('rle-segment-offset-in-header', rleWith((v) => v.setUint32(4, 8, true)));
  add('rle-segment-offsets-backwards', rleWith((v) => {
    const a = v.getUint32(4, true);
    v.setUint32(4, v.getUint32(8, true), true);
    v.setUint32(8, a, true);
  }));
  add('rle-header-short', rleWith((_, f) => f.slice(0, 40)));
  add('rle-segment-cut-short', rleWith((_, f) => f.slice(0, f.length - 300)));
  add('rle-literal-run-past-end', rleWith((_, f) => concat([f.slice(0, f.length - 10), Uint8Array.of(127, 1, 2)])));
  add('rle-only-noop-runs', rleWith((_, f) => {
    const out = f.slice();
    out.fill(0x80, 64);
    return out;
  }));

  // Image attributes that make no sense.
  const attr = (changes: Record<number, Uint8Array | null>) => edited(changes);
  add('bits-allocated-0', attr({ [T(0x0028, 0x0100)]: us(0x0028, 0x0100, 0) }));
  add('bits-allocated-7', attr({ [T(0x0028, 0x0100)]: us(0x0028, 0x0100, 7) }));
  add('bits-allocated-64', attr({ [T(0x0028, 0x0100)]: us(0x0028, 0x0100, 64) }));
  add('bits-allocated-1', attr({ [T(0x0028, 0x0100)]: us(0x0028, 0x0100, 1) }));
  add('bits-allocated-32-data-for-16', attr({ [T(0x0028, 0x0100)]: us(0x0028, 0x0100, 32) }));
  add('bits-stored-0', attr({ [T(0x0028, 0x0101)]: us(0x0028, 0x0101, 0) }));
  add('bits-stored-33', attr({ [T(0x0028, 0x0101)]: us(0x0028, 0x0101, 33) }));
  add('high-bit-40', attr({ [T(0x0028, 0x0102)]: us(0x0028, 0x0102, 40) }));
  add('high-bit-65535', attr({ [T(0x0028, 0x0102)]: us(0x0028, 0x0102, 65535) }));
  add('samples-per-pixel-0', attr({ [T(0x0028, 0x0002)]: us(0x0028, 0x0002, 0) }));
  add('samples-per-pixel-2', attr({ [T(0x0028, 0x0002)]: us(0x0028, 0x0002, 2) }));
  add('samples-per-pixel-3-grey-data', attr({ [T(0x0028, 0x0002)]: us(0x0028, 0x0002, 3) }));
  add('samples-per-pixel-65535', attr({ [T(0x0028, 0x0002)]: us(0x0028, 0x0002, 65535) }));
  add('photometric-palette', attr({ [T(0x0028, 0x0004)]: str(0x0028, 0x0004, 'CS', 'PALETTE COLOR') }));
  add('photometric-rgb-one-sample', attr({ [T(0x0028, 0x0004)]: str(0x0028, 0x0004, 'CS', 'RGB') }));
  add('photometric-ybr-422-odd-columns', edited({ [T(0x0028, 0x0004)]: str(0x0028, 0x0004, 'CS', 'YBR_FULL_422'), [T(0x0028, 0x0002)]: us(0x0028, 0x0002, 3), [COLUMNS]: us(0x0028, 0x0011, 63) }));
  add('photometric-garbage', attr({ [T(0x0028, 0x0004)]: str(0x0028, 0x0004, 'CS', '\u0000\u0001XYZ') }));
  add('pixel-representation-7', attr({ [T(0x0028, 0x0103)]: us(0x0028, 0x0103, 7) }));
  add('planar-configuration-1-grey', attr({ [T(0x0028, 0x0006)]: us(0x0028, 0x0006, 1) }));
  add('pixel-data-empty', attr({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'OW', new Uint8Array(0)) }));
  add('pixel-data-half', attr({ [PIXEL_DATA]: element(0x7fe0, 0x0010, 'OW', new Uint8Array(SIDE * SIDE)) }));
  add('pixel-data-missing-rows', attr({ [ROWS]: null }));
  add('pixel-data-missing-bits', attr({ [T(0x0028, 0x0100)]: null, [T(0x0028, 0x0101)]: null }));
  add('pixel-data-float', attr({ [PIXEL_DATA]: null, [T(0x7fe0, 0x0008)]: element(0x7fe0, 0x0008, 'OF', new Uint8Array(SIDE * SIDE * 4)) }));

  // Windows, rescale and LUTs with absurd values.
  const lut = (tag: number, descriptor: number[], data: Uint8Array, descriptorVr = 'US') =>
    element(tag >>> 16, tag & 0xffff, 'SQ', item(concat([
      element(0x0028, 0x3002, descriptorVr, Uint8Array.from(descriptor.flatMap((d) => [d & 0xff, (d >> 8) & 0xff]))),
      element(0x0028, 0x3006, 'OW', data),
    ])));
  const MODALITY_LUT = T(0x0028, 0x3000), VOI_LUT = T(0x0028, 0x3010);
  const noWindow = { [T(0x0028, 0x1050)]: null, [T(0x0028, 0x1051)]: null };
  add('window-width-0', attr({ [T(0x0028, 0x1051)]: str(0x0028, 0x1051, 'DS', '0') }));
  add('window-width-negative', attr({ [T(0x0028, 0x1051)]: str(0x0028, 0x1051, 'DS', '-100') }));
  add('window-width-text', attr({ [T(0x0028, 0x1051)]: str(0x0028, 0x1051, 'DS', 'WIDE') }));
  add('window-center-1e308', attr({ [T(0x0028, 0x1050)]: str(0x0028, 0x1050, 'DS', '1e308') }));
  add('window-width-1e-300', attr({ [T(0x0028, 0x1051)]: str(0x0028, 0x1051, 'DS', '1e-300') }));
  add('window-function-sigmoid-width-tiny', attr({ [T(0x0028, 0x1051)]: str(0x0028, 0x1051, 'DS', '1e-300'), [T(0x0028, 0x1056)]: str(0x0028, 0x1056, 'CS', 'SIGMOID') }));
  add('window-function-unknown', attr({ [T(0x0028, 0x1056)]: str(0x0028, 0x1056, 'CS', 'CUBIC') }));
  add('rescale-slope-1e308', attr({ [T(0x0028, 0x1053)]: str(0x0028, 0x1053, 'DS', '1e308'), ...noWindow }));
  add('rescale-slope-0', attr({ [T(0x0028, 0x1053)]: str(0x0028, 0x1053, 'DS', '0'), ...noWindow }));
  add('rescale-intercept-text', attr({ [T(0x0028, 0x1052)]: str(0x0028, 0x1052, 'DS', 'HU') }));
  add('modality-lut-entries-0', attr({ [MODALITY_LUT]: lut(MODALITY_LUT, [0, 0, 16], new Uint8Array(8)) }));
  add('modality-lut-data-empty', attr({ [MODALITY_LUT]: lut(MODALITY_LUT, [4096, 0, 16], new Uint8Array(0)) }));
  add('modality-lut-descriptor-short', attr({ [MODALITY_LUT]: lut(MODALITY_LUT, [4096], new Uint8Array(8)) }));
  add('modality-lut-first-mapped-huge', attr({ [MODALITY_LUT]: lut(MODALITY_LUT, [2, 65535, 16], new Uint8Array(4)) }));
  add('voi-lut-bits-0', attr({ ...noWindow, [VOI_LUT]: lut(VOI_LUT, [2, 0, 0], new Uint8Array(4)) }));
  add('voi-lut-bits-40', attr({ ...noWindow, [VOI_LUT]: lut(VOI_LUT, [2, 0, 40], Uint8Array.of(255, 255, 255, 255)) }));
  add('voi-lut-signed-descriptor', attr({ ...noWindow, [VOI_LUT]: lut(VOI_LUT, [16, 0x8000, 16], new Uint8Array(32).fill(0xff), 'SS') }));
  add('voi-lut-empty-item', attr({ ...noWindow, [VOI_LUT]: element(0x0028, 0x3010, 'SQ', item(new Uint8Array(0))) }));

  // Codestreams that lie about their size or are not what the syntax says.
  add('jpeg-baseline-garbage', encapsulated(JPEG_BASELINE, [new Uint8Array(4000).fill(0xa5)]));
  add('jpeg-baseline-huge-frame-header', encapsulated(JPEG_BASELINE, [jpegCodestream(0xc0, { width: 65500, height: 65500 })]));
  add('jpeg-baseline-frame-header-mismatch', encapsulated(JPEG_BASELINE, [jpegCodestream(0xc0, { width: 32, height: 32 })]));
  add('jpeg-baseline-no-eoi', encapsulated(JPEG_BASELINE, [jpegCodestream(0xc0, { eoi: false })]));
  add('jpeg-baseline-12-bit', encapsulated(JPEG_BASELINE, [jpegCodestream(0xc1, { precision: 12 })]));
  add('jpeg-lossless-garbage', encapsulated(JPEG_LOSSLESS_SV1, [new Uint8Array(4000).fill(0xa5)]));
  add('jpeg-lossless-huge-frame-header', encapsulated(JPEG_LOSSLESS_SV1, [jpegCodestream(0xc3, { precision: 16, width: 65535, height: 65535 })]));
  add('jpeg-lossless-large-frame-header', encapsulated(JPEG_LOSSLESS_SV1, [jpegCodestream(0xc3, { precision: 16, width: 20000, height: 20000 })]));
  add('jpeg-lossless-frame-header-mismatch', encapsulated(JPEG_LOSSLESS_SV1, [jpegCodestream(0xc3, { precision: 16, width: 8, height: 8 })]));
  add('jpeg-lossless-no-entropy', encapsulated(JPEG_LOSSLESS_SV1, [jpegCodestream(0xc3, { precision: 16, entropy: new Uint8Array(0) })]));
  add('jpeg-lossless-precision-0', encapsulated(JPEG_LOSSLESS_SV1, [jpegCodestream(0xc3, { precision: 0 })]));
  add('jpeg-lossless-only-soi', encapsulated(JPEG_LOSSLESS_SV1, [Uint8Array.of(0xff, 0xd8)]));
  add('jpeg-baseline-large-frame-header', encapsulated(JPEG_BASELINE, [jpegCodestream(0xc0, { width: 20000, height: 20000 })]));
  add('jpeg-ls-large-frame-header', encapsulated(JPEG_LS, [jpegLsCodestream(20000, 20000)]));
  add('jpeg-ls-garbage', encapsulated(JPEG_LS, [new Uint8Array(4000).fill(0xa5)]));
  add('jpeg-ls-huge-frame-header', encapsulated(JPEG_LS, [jpegLsCodestream(65535, 65535)]));
  add('jpeg-ls-frame-header-mismatch', encapsulated(JPEG_LS, [jpegLsCodestream(16, 16)]));
  add('j2k-garbage', encapsulated(J2K, [new Uint8Array(4000).fill(0xa5)]));
  add('j2k-huge-size', encapsulated(J2K, [j2kCodestream(0x7fffffff, 0x7fffffff)]));
  add('j2k-large-size', encapsulated(J2K, [j2kCodestream(20000, 20000)]));
  add('j2k-size-mismatch', encapsulated(J2K, [j2kCodestream(16, 16)]));
  add('htj2k-garbage', encapsulated(HTJ2K, [new Uint8Array(4000).fill(0xa5)]));
  add('htj2k-large-size', encapsulated(HTJ2K, [j2kCodestream(20000, 20000)]));
  add('htj2k-huge-size', encapsulated(HTJ2K, [j2kCodestream(0x7fffffff, 0x7fffffff)]));

  // Framing: headers that are half there.
  const meta = base.subarray(132, els.find((e) => e.tag >>> 16 !== 0x0002)!.start);
  add('dicm-then-garbage', concat([base.subarray(0, 132), new Uint8Array(500).fill(0xee)]));
  add('dicm-then-zeros', concat([base.subarray(0, 132), new Uint8Array(500)]));
  add('meta-only', base.slice(0, 132 + meta.length));
  add('meta-no-preamble-then-nothing', meta.slice());
  for (const [name, fill] of [['meta-group-length-huge', 0xff], ['meta-group-length-zero', 0]] as const) {
    add(name, base.slice().fill(fill, els[0]!.valueStart, els[0]!.valueStart + 4));
  }
  add('bare-implicit-length-lies', concat([Uint8Array.of(0x08, 0x00, 0x16, 0x00, 0x10, 0x00, 0x00, 0x00), new Uint8Array(20).fill(0x31)]));
  add('bare-explicit-truncated', concat([Uint8Array.of(0x08, 0x00, 0x16, 0x00, 0x55, 0x49, 0x40, 0x00), new Uint8Array(10).fill(0x31)]));
  add('bare-big-endian-garbage', concat([Uint8Array.of(0x00, 0x08, 0x00, 0x16, 0x55, 0x49, 0xff, 0xff), new Uint8Array(40).fill(0x31)]));
  add('group-length-elements-lie', splice(base, pixelAt?.start ?? base.length, 0, ul(0x0028, 0x0000, 0xffffffff)));

  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
    names.add(c.name);
  }
  return cases;
}

// ---- CLI ---------------------------------------------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [out, basePath] = process.argv.slice(2).filter((a) => a !== '--');
  if (!out) {
    console.error('usage: npx tsx models/scripts/make-bad-dicom.ts <out-folder> [base.dcm]');
    process.exit(2);
  }
  mkdirSync(out, { recursive: true });
  const cases = makeBadDicom(basePath ? new Uint8Array(readFileSync(basePath)) : undefined);
  for (const c of cases) writeFileSync(join(out, `${c.name}.dcm`), c.bytes);
  console.log(`${cases.length} bad DICOM files in ${out}`);
}

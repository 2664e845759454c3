// Writes small DICOM files byte by byte, explicit VR little endian: the test fixtures (tests/support/
// dicom-fixtures.ts) and the bad-case generator (make-bad-dicom.ts) build on it. The primitives (elements, items,
// sequences, the Part 10 framing) are the shared writer's, models/core/dicom/write.ts, which the app's result SR also
// uses; this adds images, encapsulated pixel data and test-labelled File Meta Information.
// Lengths can be given explicitly, so a caller can also write the lies a corrupt file tells.
import {
  concat, element, EXPLICIT_VR_LITTLE_ENDIAN, item, numbers, part10File, SEQUENCE_DELIMITER, str, UNDEFINED_LENGTH, us,
} from '../core/dicom/write.ts';

export {
  concat, element, EXPLICIT_VR_LITTLE_ENDIAN, ITEM_DELIMITER, item, sequence, SEQUENCE_DELIMITER, ss, str, text, ul, UNDEFINED_LENGTH, us,
} from '../core/dicom/write.ts';

/** Encapsulated Pixel Data (PS3.5 A.4): the Basic Offset Table item (empty when offsets is null), one item a fragment. */
export function encapsulatedPixelData(fragments: readonly Uint8Array[], offsets: readonly number[] | null = null): Uint8Array {
  const table = item(numbers(offsets ?? [], 4));
  const body = concat([table, ...fragments.map((f) => item(f.length % 2 ? concat([f, new Uint8Array(1)]) : f)), SEQUENCE_DELIMITER]);
  return element(0x7fe0, 0x0010, 'OB', body, UNDEFINED_LENGTH);
}

export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Preamble, "DICM" and the File Meta Information (group 0002, with its group length) before a data set. */
export function part10(dataSet: Uint8Array, { transferSyntax = EXPLICIT_VR_LITTLE_ENDIAN, sopClass = MR_IMAGE_STORAGE, sopInstance = '2.25.1' } = {}): Uint8Array {
  return part10File(dataSet, { transferSyntax, sopClass, sopInstance, implementationClassUid: '2.25.314159265358979', implementationVersionName: 'BIGBRAIN_TEST' });
}

/** A grey image as a scanner would describe it; the optional parts are left out of the file when absent. */
export interface ImageSpec {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: 0 | 1;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** Number of Frames, written when given. */
  frames?: number;
  /** Stored values, row by row and frame by frame (bit patterns: what the file holds, before sign or Bits Stored). */
  pixels: Uint8Array | Uint16Array;
  window?: { center: number; width: number; fn?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' };
  rescale?: { slope: number; intercept: number };
  modality?: string;
  /** SOP Class UID, in the data set and the File Meta Information (default MR Image Storage). */
  sopClass?: string;
  /** Attributes in the file (PN, LO, DA …): the patient, the study, the UIDs. */
  identity?: Partial<Record<'patientName' | 'patientId' | 'birthDate' | 'sex' | 'institution' | 'accession' | 'studyDate' | 'studyUid' | 'seriesUid' | 'sopInstanceUid' | 'seriesDescription', string>>;
  /** Where the slice lies in its series: Series Number, Instance Number (default 1), Image Position / Orientation Patient, Pixel Spacing. */
  geometry?: { seriesNumber?: number; instanceNumber?: number | null; imagePosition?: readonly number[]; imageOrientation?: readonly number[]; pixelSpacing?: readonly number[] };
  /** MR acquisition timing (ms): Repetition Time, Echo Time. */
  timing?: { repetitionTime?: number; echoTime?: number };
}

const ds = (v: number) => String(Number(v.toPrecision(15)));

/** One element of a data set, with its tag (group × 65536 + element) to sort by. */
export type TaggedElement = [tag: number, bytes: Uint8Array];

/** The data set of an image, element by element, native pixel data last: a caller may replace or add elements. */
export function imageElements(spec: ImageSpec): TaggedElement[] {
  const id = spec.identity ?? {};
  const els: TaggedElement[] = [];
  const add = (group: number, elem: number, bytes: Uint8Array) => els.push([group * 0x10000 + elem, bytes]);
  const s = (group: number, elem: number, vr: string, value: string | undefined) => value !== undefined && add(group, elem, str(group, elem, vr, value));
  s(0x0008, 0x0016, 'UI', spec.sopClass ?? MR_IMAGE_STORAGE);
  s(0x0008, 0x0018, 'UI', id.sopInstanceUid ?? '2.25.1');
  s(0x0008, 0x0020, 'DA', id.studyDate);
  s(0x0008, 0x0050, 'SH', id.accession);
  s(0x0008, 0x0060, 'CS', spec.modality ?? 'MR');
  s(0x0008, 0x0080, 'LO', id.institution);
  s(0x0008, 0x103e, 'LO', id.seriesDescription);
  s(0x0010, 0x0010, 'PN', id.patientName);
  s(0x0010, 0x0020, 'LO', id.patientId);
  s(0x0010, 0x0030, 'DA', id.birthDate);
  s(0x0010, 0x0040, 'CS', id.sex);
  const geo = spec.geometry ?? {};
  const multi = (v: readonly number[] | undefined) => v && v.map(ds).join('\\');
  if (spec.timing?.repetitionTime !== undefined) s(0x0018, 0x0080, 'DS', ds(spec.timing.repetitionTime));
  if (spec.timing?.echoTime !== undefined) s(0x0018, 0x0081, 'DS', ds(spec.timing.echoTime));
  s(0x0020, 0x000d, 'UI', id.studyUid);
  s(0x0020, 0x000e, 'UI', id.seriesUid);
  if (geo.seriesNumber !== undefined) s(0x0020, 0x0011, 'IS', String(geo.seriesNumber));
  if (geo.instanceNumber !== null) s(0x0020, 0x0013, 'IS', String(geo.instanceNumber ?? 1));
  s(0x0020, 0x0032, 'DS', multi(geo.imagePosition));
  s(0x0020, 0x0037, 'DS', multi(geo.imageOrientation));
  add(0x0028, 0x0002, us(0x0028, 0x0002, 1));
  s(0x0028, 0x0004, 'CS', spec.photometric);
  if (spec.frames !== undefined) s(0x0028, 0x0008, 'IS', String(spec.frames));
  add(0x0028, 0x0010, us(0x0028, 0x0010, spec.rows));
  add(0x0028, 0x0011, us(0x0028, 0x0011, spec.columns));
  s(0x0028, 0x0030, 'DS', multi(geo.pixelSpacing));
  add(0x0028, 0x0100, us(0x0028, 0x0100, spec.bitsAllocated));
  add(0x0028, 0x0101, us(0x0028, 0x0101, spec.bitsStored));
  add(0x0028, 0x0102, us(0x0028, 0x0102, spec.highBit));
  add(0x0028, 0x0103, us(0x0028, 0x0103, spec.pixelRepresentation));
  if (spec.window) {
    s(0x0028, 0x1050, 'DS', ds(spec.window.center));
    s(0x0028, 0x1051, 'DS', ds(spec.window.width));
    s(0x0028, 0x1056, 'CS', spec.window.fn);
  }
  if (spec.rescale) {
    s(0x0028, 0x1052, 'DS', ds(spec.rescale.intercept));
    s(0x0028, 0x1053, 'DS', ds(spec.rescale.slope));
  }
  const px = spec.pixels;
  const bytes = px instanceof Uint8Array ? px : new Uint8Array(px.buffer, px.byteOffset, px.byteLength);
  // Little-endian hosts only (every platform Node runs on): a Uint16Array's bytes are already in file order.
  add(0x7fe0, 0x0010, element(0x7fe0, 0x0010, spec.bitsAllocated === 8 ? 'OB' : 'OW', bytes.length % 2 ? concat([bytes, new Uint8Array(1)]) : bytes));
  return els;
}

/** Elements in tag order behind the File Meta Information. */
export function fromElements(els: readonly TaggedElement[], meta: Parameters<typeof part10>[1] = {}): Uint8Array {
  const sorted = [...els].sort((a, b) => a[0] - b[0]);
  return part10(concat(sorted.map(([, b]) => b)), meta);
}

/** The whole image file, Part 10, explicit VR little endian, native pixel data. */
export function imageFile(spec: ImageSpec): Uint8Array {
  const frames = spec.frames ?? 1;
  if (spec.pixels.length !== spec.rows * spec.columns * frames) throw new Error('pixels do not fill Rows × Columns × Frames');
  return fromElements(imageElements(spec), { sopClass: spec.sopClass ?? MR_IMAGE_STORAGE, sopInstance: spec.identity?.sopInstanceUid ?? '2.25.1' });
}

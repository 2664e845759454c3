// Bytes → the attributes BigBrain uses, with dicom-parser (every framing and byte order; deflate with pako, the
// same inflater in the browser and in Node). Nothing here decodes a pixel.
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { Inflate } from 'pako';
import { MAX_DICOM_VOXELS } from '../limits.ts';
import { DicomError, dicomErrors } from './errors.ts';
import { dicomFraming } from './sniff.ts';
import { transferSyntaxOf, type TransferSyntax } from './transfer-syntax.ts';

export interface ImageInfo {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  photometric: string;
  planarConfiguration: 0 | 1;
}

export interface Lut {
  /** Stored (or modality) value mapped to the first entry. */
  firstMapped: number;
  bits: number;
  data: Uint16Array;
}

/** How stored values become display values (PS3.3 C.11, PS3.4 N.2). */
export interface Rendering {
  rescaleSlope: number;
  rescaleIntercept: number;
  modalityLut: Lut | null;
  /** The file's windows, in its order; the first is used. */
  windows: Array<{ center: number; width: number }>;
  voiFunction: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  voiLut: Lut | null;
}

/** What series reading and the validated-use rules need; no patient identity. */
export interface SliceMeta {
  modality: string;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  seriesDescription: string;
  seriesNumber: number | null;
  instanceNumber: number | null;
  imageOrientation: number[] | null;
  imagePosition: number[] | null;
  pixelSpacing: number[] | null;
  sliceThickness: number | null;
  repetitionTime: number | null;
  echoTime: number | null;
  inversionTime: number | null;
  scanningSequence: string;
  sequenceVariant: string;
  contrastAgent: string;
  bodyPart: string;
}

/** Whose scan it is: shown on the device only, never stored, logged or sent. */
export interface PatientInfo {
  name: string;
  id: string;
  birthDate: string;
  sex: string;
  studyDate: string;
  studyDescription: string;
  institution: string;
  accessionNumber: string;
}

export interface DicomFile {
  transferSyntax: TransferSyntax;
  /** null when the file has no pixel data. */
  image: ImageInfo | null;
  rendering: Rendering;
  meta: SliceMeta;
  patient: PatientInfo;
  dataSet: DataSet;
  pixelData: Element | undefined;
}

const PART10_PREFIX = new Uint8Array(132);
PART10_PREFIX.set([0x44, 0x49, 0x43, 0x4d], 128);

/**
 * Deflated data sets, inflated in chunks up to a cap: a few hundred KB of zeros inflate to gigabytes, which must be
 * refused (too_large) before they are held, not after.
 */
export const MAX_INFLATED_BYTES = MAX_DICOM_VOXELS * 2 + 16 * 2 ** 20;

function inflateCapped(all: Uint8Array, position: number): Uint8Array {
  const chunks: Uint8Array[] = [all.subarray(0, position)];
  let total = position;
  const inflater = new Inflate({ raw: true, chunkSize: 1 << 20 });
  inflater.onData = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > MAX_INFLATED_BYTES) throw new DicomError('too_large', `The deflated data set inflates to more than ${MAX_INFLATED_BYTES / 2 ** 20} MB.`);
    chunks.push(chunk);
  };
  inflater.push(all.subarray(position), true);
  if (inflater.err) throw dicomErrors.corrupt(`deflate: ${inflater.msg}`);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function parseDataSet(bytes: Uint8Array): DataSet {
  const framing = dicomFraming(bytes);
  if (!framing) throw dicomErrors.corrupt('no DICOM header');
  let input = bytes;
  if (framing.kind === 'meta-no-preamble') {
    input = new Uint8Array(bytes.length + 132);
    input.set(PART10_PREFIX);
    input.set(bytes, 132);
  }
  const options = {
    inflater: (all: Uint8Array, position: number) => inflateCapped(all, position),
    ...(framing.kind === 'bare' ? { TransferSyntaxUID: framing.transferSyntaxUid } : {}),
  };
  try {
    return dicomParser.parseDicom(input, options as dicomParser.ParseDicomOptions);
  } catch (err) {
    if (err instanceof DicomError) throw err;
    // dicom-parser throws strings, Errors, and (on a data set cut mid-element) {exception, dataSet}.
    const why = typeof err === 'string' ? err : err instanceof Error ? err.message : String((err as { exception?: unknown })?.exception ?? err);
    throw dicomErrors.corrupt(why.replace(/^dicomParser\.\w+: /, '').slice(0, 160));
  }
}

const str = (ds: DataSet, tag: string) => (ds.string(tag) ?? '').trim();
const num = (ds: DataSet, tag: string, index = 0): number | null => {
  const v = ds.floatString(tag, index);
  return v === undefined || !Number.isFinite(v) ? null : v;
};
function nums(ds: DataSet, tag: string): number[] | null {
  const n = ds.numStringValues(tag) ?? 0;
  if (!n) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = num(ds, tag, i);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}
const us = (ds: DataSet, tag: string): number | undefined => (ds.elements[tag] ? ds.uint16(tag) : undefined);

/**
 * A LUT Descriptor's first mapped value is signed when its input is (PS3.3 C.11.1.1: it follows the Pixel
 * Representation); many files type the descriptor US all the same, and implicit VR types nothing.
 */
function readLut(item: DataSet | undefined, signedInput: boolean): Lut | null {
  const desc = item?.elements.x00283002;
  const data = item?.elements.x00283006;
  if (!item || !desc || !data || desc.length < 6) return null;
  const entries = item.uint16('x00283002', 0) || 65536;
  const signedFirst = desc.vr === 'SS' || signedInput;
  const firstMapped = signedFirst ? item.int16('x00283002', 1)! : item.uint16('x00283002', 1)!;
  const bits = item.uint16('x00283002', 2)!;
  const count = Math.min(entries, Math.floor(data.length / 2));
  if (count < 1) return null;
  const values = new Uint16Array(count);
  for (let i = 0; i < count; i++) values[i] = item.uint16('x00283006', i)!;
  return { firstMapped, bits: bits || 16, data: values };
}

const firstItem = (ds: DataSet, tag: string): DataSet | undefined => ds.elements[tag]?.items?.[0]?.dataSet;

/** MR, Enhanced MR and Legacy Converted Enhanced MR Image Storage: objects that always hold pixel data. */
const MR_IMAGE_CLASSES = new Set(['1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.4.1', '1.2.840.10008.5.1.4.1.1.4.4']);

function readImage(ds: DataSet): ImageInfo | null {
  if (!ds.elements.x7fe00010) {
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) throw dicomErrors.unsupportedImage('float pixel data');
    // An image that lost its pixel data (a file cut short before them) is corrupt, not an object without an image.
    const sopClass = str(ds, 'x00080016') || str(ds, 'x00020002');
    if (ds.elements.x00280010 || ds.elements.x00280011 || MR_IMAGE_CLASSES.has(sopClass.replace(/\0/g, ''))) {
      throw dicomErrors.corrupt('the image has no pixel data: the file may be cut short');
    }
    return null;
  }
  const rows = us(ds, 'x00280010') ?? 0;
  const columns = us(ds, 'x00280011') ?? 0;
  const bitsAllocated = us(ds, 'x00280100') ?? 0;
  const bitsStored = us(ds, 'x00280101') ?? bitsAllocated;
  const frames = ds.intString('x00280008') ?? 1;
  if (!rows || !columns) throw dicomErrors.corrupt('Rows or Columns missing');
  if (![1, 8, 16, 32].includes(bitsAllocated)) throw dicomErrors.corrupt(`Bits Allocated ${bitsAllocated}`);
  if (bitsStored < 1 || bitsStored > bitsAllocated) throw dicomErrors.corrupt(`Bits Stored ${bitsStored} of ${bitsAllocated}`);
  if (!Number.isInteger(frames) || frames < 1) throw dicomErrors.corrupt(`Number of Frames ${frames}`);
  const highBit = us(ds, 'x00280102') ?? bitsStored - 1;
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) throw dicomErrors.corrupt(`High Bit ${highBit} with ${bitsStored} of ${bitsAllocated} bits`);
  return {
    rows,
    columns,
    frames,
    samplesPerPixel: us(ds, 'x00280002') ?? 1,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: us(ds, 'x00280103') === 1 ? 1 : 0,
    photometric: str(ds, 'x00280004').toUpperCase() || 'MONOCHROME2',
    planarConfiguration: us(ds, 'x00280006') === 1 ? 1 : 0,
  };
}

/**
 * Enhanced (multi-frame) objects keep the window, the rescale and the geometry in functional groups (PS3.3 C.7.6.16):
 * the frame's own item of the Per-frame Functional Groups Sequence, else the Shared one. The macro's data set, or
 * the top level when the file has no functional groups (classic objects).
 */
export function functionalGroup(ds: DataSet, macro: string, frameIndex: number): DataSet | undefined {
  const perFrame = ds.elements.x52009230?.items?.[frameIndex]?.dataSet;
  const own = perFrame && firstItem(perFrame, macro);
  if (own) return own;
  const shared = firstItem(ds, 'x52009229');
  return shared && firstItem(shared, macro);
}

const WINDOW_MACRO = 'x00289132'; // Frame VOI LUT Sequence
const RESCALE_MACRO = 'x00289145'; // Pixel Value Transformation Sequence

/** The rendering of one frame: the top level's attributes, else its functional groups'. */
export function renderingOf(file: DicomFile, frameIndex: number): Rendering {
  const { dataSet: ds, rendering } = file;
  if (!ds.elements.x52009229 && !ds.elements.x52009230) return rendering;
  const voi = rendering.windows.length === 0 ? functionalGroup(ds, WINDOW_MACRO, frameIndex) : undefined;
  const rescale = !ds.elements.x00281053 ? functionalGroup(ds, RESCALE_MACRO, frameIndex) : undefined;
  const fromVoi = voi && readRendering(voi, file.image?.pixelRepresentation === 1);
  const fromRescale = rescale && readRendering(rescale, file.image?.pixelRepresentation === 1);
  return {
    ...rendering,
    ...(fromRescale ? { rescaleSlope: fromRescale.rescaleSlope, rescaleIntercept: fromRescale.rescaleIntercept } : {}),
    ...(fromVoi && fromVoi.windows.length ? { windows: fromVoi.windows, voiFunction: fromVoi.voiFunction } : {}),
  };
}

function readRendering(ds: DataSet, signed: boolean): Rendering {
  const centers = nums(ds, 'x00281050') ?? [];
  const widths = nums(ds, 'x00281051') ?? [];
  const windows = centers.flatMap((center, i) => {
    const width = widths[i];
    return width !== undefined && width > 0 ? [{ center, width }] : [];
  });
  const fn = str(ds, 'x00281056').toUpperCase();
  return {
    rescaleSlope: num(ds, 'x00281053') ?? 1,
    rescaleIntercept: num(ds, 'x00281052') ?? 0,
    modalityLut: readLut(firstItem(ds, 'x00283000'), signed),
    windows,
    voiFunction: fn === 'SIGMOID' || fn === 'LINEAR_EXACT' ? fn : 'LINEAR',
    voiLut: readLut(firstItem(ds, 'x00283010'), signed || (num(ds, 'x00281052') ?? 0) < 0),
  };
}

/** The geometry and timing of one frame: the top level's, else its functional groups' (Enhanced MR). */
export function frameGeometry(ds: DataSet, frameIndex: number): Pick<SliceMeta, 'imageOrientation' | 'imagePosition' | 'pixelSpacing' | 'sliceThickness' | 'repetitionTime' | 'echoTime'> {
  const group = (macro: string) => functionalGroup(ds, macro, frameIndex);
  const orientation = group('x00209116');
  const position = group('x00209113');
  const measures = group('x00289110');
  const timing = group('x00189112');
  const echo = group('x00189114');
  return {
    imageOrientation: nums(ds, 'x00200037') ?? (orientation ? nums(orientation, 'x00200037') : null),
    imagePosition: nums(ds, 'x00200032') ?? (position ? nums(position, 'x00200032') : null),
    pixelSpacing: nums(ds, 'x00280030') ?? (measures ? nums(measures, 'x00280030') : null),
    sliceThickness: num(ds, 'x00180050') ?? (measures ? num(measures, 'x00180050') : null),
    repetitionTime: num(ds, 'x00180080') ?? (timing ? num(timing, 'x00180080') : null),
    echoTime: num(ds, 'x00180081') ?? (echo ? echo.double('x00189082') ?? null : null),
  };
}

function readMeta(ds: DataSet): SliceMeta {
  return {
    modality: str(ds, 'x00080060').toUpperCase(),
    sopClassUid: str(ds, 'x00080016'),
    sopInstanceUid: str(ds, 'x00080018'),
    seriesInstanceUid: str(ds, 'x0020000e'),
    studyInstanceUid: str(ds, 'x0020000d'),
    seriesDescription: str(ds, 'x0008103e'),
    seriesNumber: ds.intString('x00200011') ?? null,
    instanceNumber: ds.intString('x00200013') ?? null,
    ...frameGeometry(ds, 0),
    inversionTime: num(ds, 'x00180082'),
    scanningSequence: str(ds, 'x00180020'),
    sequenceVariant: str(ds, 'x00180021'),
    contrastAgent: str(ds, 'x00180010'),
    bodyPart: str(ds, 'x00180015'),
  };
}

function readPatient(ds: DataSet): PatientInfo {
  return {
    name: str(ds, 'x00100010').replace(/\^+/g, ' ').trim(),
    id: str(ds, 'x00100020'),
    birthDate: str(ds, 'x00100030'),
    sex: str(ds, 'x00100040'),
    studyDate: str(ds, 'x00080020'),
    studyDescription: str(ds, 'x00081030'),
    institution: str(ds, 'x00080080'),
    accessionNumber: str(ds, 'x00080050'),
  };
}

export function parseDicom(bytes: Uint8Array): DicomFile {
  const ds = parseDataSet(bytes);
  const uid = str(ds, 'x00020010').replace(/\0/g, '');
  const transferSyntax = transferSyntaxOf(uid);
  try {
    const image = readImage(ds);
    if (image && !transferSyntax) throw dicomErrors.unsupportedSyntax(uid);
    return {
      transferSyntax: transferSyntax ?? transferSyntaxOf('1.2.840.10008.1.2.1')!,
      image,
      rendering: readRendering(ds, image?.pixelRepresentation === 1),
      meta: readMeta(ds),
      patient: readPatient(ds),
      dataSet: ds,
      pixelData: ds.elements.x7fe00010,
    };
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw err;
    throw dicomErrors.corrupt(err instanceof Error ? err.message : String(err));
  }
}

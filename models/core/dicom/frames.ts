// One frame's pixel data → its samples, by transfer syntax: native bytes as they are, encapsulated frames through
// the codec the syntax table names. The codecs are loaded on first use, from wherever the WasmSource says.
import dicomParser from 'dicom-parser';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { DicomError, dicomErrors } from './errors.ts';
import type { DicomFile, ImageInfo } from './parse.ts';
import { decodeJpegDct } from './jpeg12.ts';
import { decodeRle } from './rle.ts';
import { jpegMarkers } from '../jpeg-markers.ts';
import type { Codec } from './transfer-syntax.ts';
import type { WasmCodec, WasmSource } from './wasm-codecs.ts';

export type Samples = Uint8Array | Uint16Array | Uint32Array;

export interface DecodedFrame {
  /** Interleaved samples, unsigned bit patterns (sign and Bits Stored are applied later). */
  samples: Samples;
  components: number;
  /** The codec already turned YBR into RGB (JPEG, JPEG 2000 with a colour transform). */
  rgb: boolean;
  /** Where Bits Stored sit in each sample: High Bit + 1 − Bits Stored for native data, 0 for a codec's output. */
  shift: number;
  /** Colour planes one after the other (native data with Planar Configuration 1); codecs give interleaved samples. */
  planar: boolean;
}

const factories: Record<WasmCodec, () => Promise<{ default: EmscriptenFactory }>> = {
  'libjpeg-turbo': () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
  charls: () => import('@cornerstonejs/codec-charls/decodewasmjs'),
  openjpeg: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
  openjph: () => import('@cornerstonejs/codec-openjph/wasmjs'),
};
const loaded = new Map<WasmCodec, Promise<EmscriptenCodecModule>>();

function codecModule(codec: WasmCodec, wasm: WasmSource): Promise<EmscriptenCodecModule> {
  let m = loaded.get(codec);
  if (!m) {
    m = (async () => {
      const [factory, wasmBinary] = await Promise.all([factories[codec](), wasm(codec)]);
      const create = (factory.default ?? factory) as unknown as EmscriptenFactory;
      // print/printErr: OpenJPEG reports every tile on stdout otherwise.
      return create({ wasmBinary, print: () => {}, printErr: () => {} });
    })();
    m.catch(() => loaded.delete(codec));
    loaded.set(codec, m);
  }
  return m;
}

function bytesToSamples(bytes: Uint8Array, bitsPerSample: number, bigEndian = false): Samples {
  const size = bitsPerSample <= 8 ? 1 : bitsPerSample <= 16 ? 2 : 4;
  const count = Math.floor(bytes.length / size);
  // A copy: aligned, and never a view into the file or the codec's heap. Not bytes.slice(): on a Node Buffer
  // (readFileSync) that is a view into the file, so its .buffer would be the whole file from byte 0.
  const own = new Uint8Array(count * size);
  own.set(bytes.subarray(0, count * size));
  if (size === 1) return own;
  if (bigEndian) {
    for (let i = 0; i < own.length; i += size) {
      for (let a = i, b = i + size - 1; a < b; a++, b--) { const t = own[a]!; own[a] = own[b]!; own[b] = t; }
    }
  }
  return size === 2 ? new Uint16Array(own.buffer) : new Uint32Array(own.buffer);
}

/** One codestream through a cornerstone WASM decoder; the samples are a copy, never a view into the codec's heap. */
export async function runWasmDecoder(codec: WasmCodec, ctor: keyof EmscriptenCodecModule, frame: Uint8Array, wasm: WasmSource) {
  const m = await codecModule(codec, wasm);
  const decoder = new m[ctor]();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { info, samples: bytesToSamples(decoder.getDecodedBuffer(), info.bitsPerSample) };
  } finally {
    decoder.delete();
  }
}

const EMSCRIPTEN: Partial<Record<Codec, [WasmCodec, keyof EmscriptenCodecModule]>> = {
  'jpeg-baseline': ['libjpeg-turbo', 'JPEGDecoder'],
  'jpeg-ls': ['charls', 'JpegLSDecoder'],
  jpeg2000: ['openjpeg', 'J2KDecoder'],
  htj2k: ['openjph', 'HTJ2KDecoder'],
};

/** The WASM codec a transfer syntax's frames need; null when they decode in plain JavaScript. */
export const wasmCodecFor = (codec: Codec): WasmCodec | null => EMSCRIPTEN[codec]?.[0] ?? null;

/** Loads a codec ahead of decoding (glue and WASM), so a caller can tell "decoder not available" from a bad frame. */
export async function loadCodec(codec: WasmCodec, wasm: WasmSource): Promise<void> {
  await codecModule(codec, wasm);
}

/**
 * jpeg-lossless-decoder-js (2.1.2) leaves the last pixel at 0 when that pixel's Huffman code ends where the EOI
 * marker begins: it meets the marker while reading the code and stops before writing the pixel. Bits after the
 * last pixel are never used, so one zero byte before EOI gives it the byte it reads ahead, and the pixel is written.
 */
function padBeforeEoi(jpeg: Uint8Array): Uint8Array {
  let end = jpeg.length;
  while (end > 2 && jpeg[end - 1] === 0) end--; // fragments are padded to even length
  if (end < 2 || jpeg[end - 2] !== 0xff || jpeg[end - 1] !== 0xd9) return jpeg;
  const out = new Uint8Array(end + 1);
  out.set(jpeg.subarray(0, end - 2));
  out.set([0, 0xff, 0xd9], end - 2);
  return out;
}

/**
 * JPEG 2000 decodes to integers, and a lossy codestream may overshoot the Bits Stored range by a few values;
 * storedValues keeps only the Bits Stored bits, which would wrap them (1024 in 10 bits is 0: a white pixel black).
 * Clamp them first, in the codestream's own signedness.
 */
function clampToBitsStored(samples: Samples, bitsStored: number, signed: boolean): void {
  const width = samples.BYTES_PER_ELEMENT * 8;
  if (bitsStored >= width) return;
  const wrap = 2 ** width;
  const lo = signed ? -(2 ** (bitsStored - 1)) : 0;
  const hi = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1;
  for (let i = 0; i < samples.length; i++) {
    const v = signed && samples[i]! >= wrap / 2 ? samples[i]! - wrap : samples[i]!;
    if (v < lo) samples[i] = lo + wrap;
    else if (v > hi) samples[i] = hi;
  }
}

interface CodestreamHeader {
  precision: number;
  width: number;
  height: number;
}

/** The frame header of a JPEG, JPEG lossless or JPEG-LS codestream (SOF0–SOF15, SOF55); null when none precedes the scan. */
const jpegFrameHeader = (jpeg: Uint8Array): CodestreamHeader | null => jpegMarkers(jpeg).frame;

/** The SIZ marker of a JPEG 2000 / HTJ2K codestream (right after SOC): image size, first component's precision. */
function j2kSize(j2k: Uint8Array): CodestreamHeader | null {
  // A raw codestream starts with SOC SIZ; a JP2 file wraps it in boxes, so look for it in the first bytes.
  let at = -1;
  for (let i = 0; i + 4 <= Math.min(j2k.length, 8192); i++) {
    if (j2k[i] === 0xff && j2k[i + 1] === 0x4f && j2k[i + 2] === 0xff && j2k[i + 3] === 0x51) { at = i; break; }
  }
  if (at < 0 || j2k.length < at + 43) return null;
  const v = new DataView(j2k.buffer, j2k.byteOffset + at, j2k.byteLength - at);
  return { width: v.getUint32(8) - v.getUint32(16), height: v.getUint32(12) - v.getUint32(20), precision: (v.getUint8(42) & 0x7f) + 1 };
}

/**
 * A codestream must be the size the header says, checked before it is decoded: the decoders allocate what the
 * codestream claims (a 64 × 64 slice whose JPEG lossless header said 65535 × 65535 made an 8.6 GB array; JPEG and
 * JPEG-LS grew the WASM heap, which never shrinks, by hundreds of MB).
 */
function checkCodestreamSize(codec: Codec, frame: Uint8Array, image: ImageInfo, name: string): CodestreamHeader {
  const header = codec === 'jpeg2000' || codec === 'htj2k' ? j2kSize(frame) : jpegFrameHeader(frame);
  // No header found: refuse rather than let the decoder find one further on and allocate what it says.
  if (!header) throw dicomErrors.corrupt(`the ${name} frame has no frame header`);
  if (header.width !== image.columns || header.height !== image.rows) {
    throw dicomErrors.corrupt(`the ${name} frame is ${header.width}×${header.height}, the header says ${image.columns}×${image.rows}`);
  }
  return header;
}

function encapsulatedFrame(file: DicomFile, index: number): Uint8Array {
  const { dataSet, pixelData, image } = file;
  const fragments = pixelData!.fragments ?? [];
  if (fragments.length === 0) throw dicomErrors.corrupt('encapsulated pixel data has no fragments');
  const frames = image!.frames;
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData!, 0, fragments.length);
  if (pixelData!.basicOffsetTable?.length) return dicomParser.readEncapsulatedImageFrame(dataSet, pixelData!, index);
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData!, index, 1);
  const table = dicomParser.createJPEGBasicOffsetTable(dataSet, pixelData!);
  return dicomParser.readEncapsulatedImageFrame(dataSet, pixelData!, index, table);
}

/** Bytes of one native frame; YBR_FULL_422 keeps two samples a pixel (Y Y Cb Cr for each pair). */
export function nativeFrameBytes(image: ImageInfo): number {
  const samples = image.photometric === 'YBR_FULL_422' ? 2 : image.samplesPerPixel;
  return (image.rows * image.columns * samples * image.bitsAllocated) / 8;
}

function nativeFrame(file: DicomFile, index: number): DecodedFrame {
  const image = file.image!;
  if (image.bitsAllocated === 1) throw dicomErrors.unsupportedImage('1-bit pixel data');
  const size = nativeFrameBytes(image);
  const { dataOffset, length } = file.pixelData!;
  const start = dataOffset + index * size;
  const available = Math.min(length, file.dataSet.byteArray.length - dataOffset);
  if ((index + 1) * size > available) {
    throw dicomErrors.corrupt(`pixel data holds ${available} bytes, frame ${index + 1} needs ${(index + 1) * size}`);
  }
  const bytes = file.dataSet.byteArray.subarray(start, start + size);
  const components = image.photometric === 'YBR_FULL_422' ? 2 : image.samplesPerPixel;
  const samples = bytesToSamples(bytes, image.bitsAllocated, file.transferSyntax.bigEndian);
  return { samples, components, rgb: false, shift: image.highBit + 1 - image.bitsStored, planar: true };
}

export async function decodeFrame(file: DicomFile, index: number, wasm: WasmSource): Promise<DecodedFrame> {
  const image = file.image;
  if (!image || !file.pixelData) throw dicomErrors.noImage(file.meta.sopClassUid);
  if (index < 0 || index >= image.frames) throw new DicomError('corrupt_image', `No frame ${index + 1} in a file of ${image.frames}.`);
  const { codec, name } = file.transferSyntax;
  const encapsulated = Boolean(file.pixelData.encapsulatedPixelData);
  if (codec === 'native') {
    if (encapsulated) throw dicomErrors.corrupt(`${name} pixel data is encapsulated`);
    return nativeFrame(file, index);
  }
  if (!encapsulated) throw dicomErrors.corrupt(`${name} pixel data is not encapsulated`);
  let frame: Uint8Array;
  try {
    frame = encapsulatedFrame(file, index);
  } catch (err) {
    if (err instanceof DicomError) throw err;
    throw dicomErrors.corrupt(`frame ${index + 1} cannot be read from its fragments`);
  }
  const pixels = image.rows * image.columns;
  try {
    if (codec === 'rle') {
      const bytesPerSample = image.bitsAllocated / 8;
      const out = decodeRle(frame, pixels, image.samplesPerPixel, bytesPerSample);
      return { samples: bytesToSamples(out, image.bitsAllocated), components: image.samplesPerPixel, rgb: false, shift: image.highBit + 1 - image.bitsStored, planar: false };
    }
    const header = checkCodestreamSize(codec, frame, image, name);
    if (codec === 'jpeg-lossless') {
      const bytes = image.bitsAllocated <= 8 ? 1 : 2;
      const jpeg = padBeforeEoi(frame);
      const out = new JpegLosslessDecoder().decode(jpeg.buffer, jpeg.byteOffset, jpeg.length, bytes);
      const samples = out instanceof Uint8Array || out instanceof Uint16Array ? out : new Uint16Array(out as ArrayLike<number>);
      if (samples.length !== pixels * image.samplesPerPixel) {
        throw dicomErrors.corrupt(`the ${name} frame holds ${samples.length} samples, the header says ${pixels * image.samplesPerPixel}`);
      }
      return { samples, components: image.samplesPerPixel, rgb: false, shift: 0, planar: false };
    }
    if (codec === 'jpeg-baseline' && header.precision > 8) {
      // 12-bit JPEG Extended (process 4): libjpeg-turbo's build is 8-bit only; the TypeScript decoder (jpeg12.ts).
      // Its samples stay YCbCr when there are three: the Photometric Interpretation says what they are.
      const out = decodeJpegDct(frame, { width: image.columns, height: image.rows });
      return { samples: out.samples, components: out.components, rgb: false, shift: 0, planar: false };
    }
    const [wasmCodec, ctor] = EMSCRIPTEN[codec]!;
    const { info, samples } = await runWasmDecoder(wasmCodec, ctor, frame, wasm);
    if (info.width !== image.columns || info.height !== image.rows) {
      throw dicomErrors.corrupt(`the ${name} frame is ${info.width}×${info.height}, the header says ${image.columns}×${image.rows}`);
    }
    if (codec === 'jpeg2000' || codec === 'htj2k') clampToBitsStored(samples, image.bitsStored, info.isSigned ?? image.pixelRepresentation === 1);
    const rgb = info.componentCount === 3 && (codec === 'jpeg-baseline' || /^YBR_(ICT|RCT)$/.test(image.photometric));
    return { samples, components: info.componentCount, rgb, shift: 0, planar: false };
  } catch (err) {
    if (err instanceof DicomError) throw err;
    const why = err instanceof Error ? err.message : typeof err === 'number' ? `codec error ${err}` : String(err);
    throw dicomErrors.corrupt(`the ${name} frame does not decode: ${why.slice(0, 120)}`);
  }
}

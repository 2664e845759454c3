// Synthetic test images (sharp), and real MRIs from ../shared/data when that folder is present.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import type { Label } from '../../models/core/contract.ts';
import { readSplits, truthOf } from '../../models/node/evaluate.ts';

export const greyPng = async (width = 128, height = 128) =>
  ({ data: await sharp({ create: { width, height, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toBuffer(), type: 'image/png' });

/** Every pixel random, in colour: nothing like an MRI. */
export async function colourNoisePng(width = 128, height = 128, seed = 1) {
  const raw = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < raw.length; i++) { s = (s * 1103515245 + 12345) >>> 0; raw[i] = s >>> 24; }
  return { data: await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer(), type: 'image/png' };
}

/** One flat colour: no anatomy at all. */
export const flatJpeg = async (width = 256, height = 256) =>
  ({ data: await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer(), type: 'image/jpeg' });

/** A valid JPEG cut in half. */
export async function truncatedJpeg() {
  const full = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 10, g: 200, b: 10 } } }).jpeg().toBuffer();
  return { data: full.subarray(0, Math.floor(full.length / 2)), type: 'image/jpeg' };
}

export const SHARED_DATA = resolve(import.meta.dirname, '../../../shared/data');
const TRAINING = join(SHARED_DATA, 'brain-mri', 'Training');
const SPLITS = resolve(import.meta.dirname, '../../models/splits/splits.csv');

export interface RealImage {
  path: string;
  label: Label;
}

/** The first n images of each class of the brain-MRI set (sorted, so stable); [] when the data is absent. */
/** Internal-test images (never trained on) from the committed split list: `perClass` of each class, in list order. */
export function realImages(perClass = 2): RealImage[] {
  if (!existsSync(TRAINING)) return [];
  const test = readSplits(SPLITS).filter((r) => r.split === 'test' && r.source === 'brain-mri');
  const labels: Label[] = ['glioma', 'meningioma', 'pituitary', 'notumor'];
  return labels.flatMap((label) => test.filter((r) => truthOf(r) === label).slice(0, perClass).map((r) => ({ path: join(SHARED_DATA, r.path), label })));
}

/** A real image whose header claims another size: a decompression bomb's header without the bomb. */
export async function pngClaiming(width: number, height: number): Promise<Uint8Array> {
  const png = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer());
  const view = new DataView(png.buffer, png.byteOffset);
  // IHDR is the first chunk: length(4) 'IHDR'(4) width(4) height(4) … crc over type+data.
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(png.subarray(12, 29)));
  return png;
}

export async function jpegClaiming(width: number, height: number): Promise<Uint8Array> {
  const jpeg = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer());
  for (let i = 2; i < jpeg.length - 9; i++) {
    if (jpeg[i] === 0xff && jpeg[i + 1]! >= 0xc0 && jpeg[i + 1]! <= 0xc2) { // SOF0/1/2: len(2) precision(1) height(2) width(2)
      const view = new DataView(jpeg.buffer, jpeg.byteOffset);
      view.setUint16(i + 5, height);
      view.setUint16(i + 7, width);
      return jpeg;
    }
  }
  throw new Error('no SOF marker');
}

export async function webpClaiming(width: number, height: number): Promise<Uint8Array> {
  const webp = new Uint8Array(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).webp().toBuffer());
  for (let i = 12; i < webp.length - 7; i++) {
    if (webp[i] === 0x9d && webp[i + 1] === 0x01 && webp[i + 2] === 0x2a) { // VP8 start code, then 14-bit width/height (LE)
      const view = new DataView(webp.buffer, webp.byteOffset);
      view.setUint16(i + 3, width & 0x3fff, true);
      view.setUint16(i + 5, height & 0x3fff, true);
      return webp;
    }
  }
  throw new Error('no VP8 start code');
}

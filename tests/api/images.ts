// Synthetic test images (sharp), and real MRIs from ../shared/data when that folder is present.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Label } from '../../models/core/contract.ts';

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

export interface RealImage {
  path: string;
  label: Label;
}

/** The first n images of each class of the brain-MRI set (sorted, so stable); [] when the data is absent. */
export function realImages(perClass = 2): RealImage[] {
  if (!existsSync(TRAINING)) return [];
  const labels: Label[] = ['glioma', 'meningioma', 'pituitary', 'notumor'];
  return labels.flatMap((label) => {
    const dir = join(TRAINING, label);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, perClass).map((f) => ({ path: join(dir, f), label }));
  });
}

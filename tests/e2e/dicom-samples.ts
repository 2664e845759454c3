// DICOM files for the browser suites, made at test time (never committed): pydicom's own test files, a multi-frame
// MR and a 512² JPEG-LS MR slice written from a grey picture (a ../shared JPEG when the data folder is there, else the
// harness's synthetic MRI), with the recognisable fake identity of tests/support/dicom-fixtures.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageFile } from '../../models/scripts/dicom-write.ts';
import { BRAIN_MRI, FAKE_PATIENT, fixtureDir, type Grey } from '../support/dicom-fixtures.ts';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { available, hasData } from '../support/skip.ts';
import { syntheticMri } from './harness.ts';

export { FAKE_PATIENT };

/** The UIDs written into the generated files: none may leave the device. */
export const FAKE_UIDS = { study: '2.25.91234567891000777', series: '2.25.91234567892000777', sop: '2.25.91234567893000777' };

const ENHANCED_MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4.1';

export const HAS_PYDICOM_FILES = available(PYDICOM_TEST_FILES !== null, "pydicom's test files (Debian python3-pydicom)");
export const pydicomBytes = (name: string): Buffer => readFileSync(pydicomPath(name));

/** The n-th glioma JPEG of ../shared (sorted), or null without the data folder. */
function realMri(n: number): string | null {
  if (!hasData) return null;
  const dir = `${BRAIN_MRI}glioma/`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort();
  return files.length ? dir + files[(n * 37) % files.length] : null;
}

/** A grey picture `size` px square: a real MRI JPEG from ../shared when there, else the synthetic one. */
export async function greyPicture(size: number, index = 0): Promise<{ grey: Grey; source: string }> {
  const real = realMri(index);
  const input = real ? readFileSync(real) : await syntheticMri(size);
  const { data, info } = await sharp(input).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return { grey: { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height }, source: real ? 'real MRI JPEG' : 'synthetic MRI' };
}

/**
 * An MR file of several frames (Number of Frames, one Pixel Data holding them in turn), 12 of 16 bits with a
 * window that shows each frame as exactly its grey picture, and the full fake identity.
 */
export function multiFrameMr(frames: Grey[]): Uint8Array {
  const { width: columns, height: rows } = frames[0]!;
  const pixels = new Uint16Array(rows * columns * frames.length);
  frames.forEach((g, f) => g.data.forEach((v, i) => (pixels[f * rows * columns + i] = 16 * v)));
  return imageFile({
    rows, columns, frames: frames.length, pixels,
    bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
    window: { center: 2040.5, width: 4081 },
    sopClass: ENHANCED_MR_IMAGE_STORAGE,
    identity: { ...FAKE_PATIENT, studyUid: FAKE_UIDS.study, seriesUid: FAKE_UIDS.series, sopInstanceUid: FAKE_UIDS.sop },
  });
}

/** One 12-bit MR slice with the fake identity and FAKE_UIDS (explicit VR little endian). */
export function singleFrameMr(grey: Grey): Uint8Array {
  return multiFrameMr([grey]);
}

/** The same slice in JPEG-LS lossless (dcmcjpls), or null without dcmtk. */
export function jpegLs(bytes: Uint8Array): Uint8Array | null {
  if (!available(existsSync('/usr/bin/dcmcjpls'), "dcmtk's dcmcjpls (JPEG-LS fixtures)")) return null;
  const { dir, remove } = fixtureDir();
  try {
    writeFileSync(join(dir, 'in.dcm'), bytes);
    execFileSync('dcmcjpls', ['+el', join(dir, 'in.dcm'), join(dir, 'out.dcm')]);
    return new Uint8Array(readFileSync(join(dir, 'out.dcm')));
  } finally {
    remove();
  }
}

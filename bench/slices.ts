// DICOM slices for the benchmark, written at run time from the real MRIs (models/scripts/dicom-write.ts), never kept.
import sharp from 'sharp';
import { openDicom } from '../models/core/dicom/index.ts';
import { imageFile } from '../models/scripts/dicom-write.ts';

type Images = Array<{ name: string; bytes: Buffer }>;
export const DICOM_SLICES = 16;
export const DICOM_DESCRIPTION = 'T1 AX SE BENCH';

/**
 * Single-frame MR slices written at bench time from the real MRIs (their grey pixels, 224²), as a scanner writes an
 * axial T1 spin-echo slice: explicit VR little endian, native 16-bit, 12 bits stored (grey × 16), window over the
 * stored range, TR 500 / TE 10 ms, axial orientation, 1.1 mm pixels (a 246 mm field of view). Never kept on disk.
 */
export async function dicomSlices(images: Images, count = DICOM_SLICES): Promise<Images> {
  const out: Images = [];
  for (let i = 0; i < count && i < images.length; i++) {
    const step = Math.max(1, Math.floor(images.length / count));
    const src = images[(i * step) % images.length]!;
    const { data, info } = await sharp(src.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
    const file = imageFile({
      rows: info.height, columns: info.width, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
      pixels: Uint16Array.from(data, (v) => v * 16), window: { center: 2040.5, width: 4081 },
      identity: { studyUid: '2.25.77001', seriesUid: '2.25.77001.1', sopInstanceUid: `2.25.77001.1.${i + 1}`, seriesDescription: DICOM_DESCRIPTION },
      geometry: { seriesNumber: 1, instanceNumber: i + 1, imagePosition: [-123, -123, -20 + 5 * i], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [1.1, 1.1] },
      timing: { repetitionTime: 500, echoTime: 10 },
    });
    openDicom(file); // throws if the writer and the reader disagree
    out.push({ name: `IM${String(i + 1).padStart(4, '0')}.dcm`, bytes: Buffer.from(file.buffer, file.byteOffset, file.length) });
  }
  return out;
}

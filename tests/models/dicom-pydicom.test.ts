// The DICOM reader on pydicom's own test files (Debian's python3-pydicom), with pydicom itself as the reference:
// MR_small.dcm in eight framings and syntaxes gives pydicom's stored values and pydicom's windowed pixels; the
// other files each get the answer or the error code issue 11 gives them. Files are read with readFileSync, so
// the reader gets a Node Buffer (a view into a larger pool), as the CLI and the server hand it one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { storedValues } from '../../models/core/dicom/display.ts';
import { decodeFrame } from '../../models/core/dicom/frames.ts';
import { DicomError, modalityRefusal, openDicom, renderFrame, type DicomImageFile } from '../../models/core/dicom/index.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { hasPydicomNumpy, PYDICOM_TEST_FILES, pydicomPath, pydicomPixelArray } from '../support/pydicom.ts';
import { available } from '../support/skip.ts';
import { pixelDifference } from '../support/dicom-fixtures.ts';

const run = available(PYDICOM_TEST_FILES !== null && hasPydicomNumpy, "pydicom's test files and numpy (apt-get install python3-pydicom python3-numpy)");

const read = (name: string): Buffer => readFileSync(pydicomPath(name));
const open = (name: string): DicomImageFile => openDicom(read(name));

async function stored(file: DicomImageFile, frame = 1): Promise<number[]> {
  return Array.from(storedValues(await decodeFrame(file, frame - 1, nodeWasm), file.image));
}

/** The DicomError code a promise rejects with; fails the test on success or on any other exception. */
async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (!(e instanceof DicomError)) throw new Error(`not a DicomError: ${String(e)}`);
    return e.code;
  }
  throw new Error('expected a DicomError, got a result');
}

describe.runIf(run)("pydicom's test files", () => {
  describe('MR_small.dcm and its variants', () => {
    const VARIANTS = ['MR_small_RLE.dcm', 'MR_small_bigendian.dcm', 'MR_small_expb.dcm', 'MR_small_implicit.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_padded.dcm'];

    it("MR_small.dcm: pydicom's stored values (int16) and pydicom's LINEAR window 600/1600", async () => {
      const ref = pydicomPixelArray(pydicomPath('MR_small.dcm'));
      expect(ref.dtype).toBe('<i2');
      expect(ref.shape).toEqual([64, 64]);
      const file = open('MR_small.dcm');
      expect(file.image).toMatchObject({ rows: 64, columns: 64, bitsStored: 16, pixelRepresentation: 1 });
      expect(await stored(file)).toEqual(ref.values);

      const display = pydicomPixelArray(pydicomPath('MR_small.dcm'), 'display');
      const f = await renderFrame(file, 1, nodeWasm);
      expect(f.window).toEqual({ center: 600, width: 1600, source: 'file' });
      expect(f.pixels).toMatchObject({ width: 64, height: 64, channels: 1 });
      expect(Array.from(f.pixels.data)).toEqual(display.values);
      // not a trivial picture: the window clips at both ends and leaves a range in between
      expect(new Set(display.values).size).toBeGreaterThan(100);
    });

    it.each(VARIANTS)('%s: the same stored values and the same 8-bit pixels as MR_small.dcm', async (name) => {
      const reference = open('MR_small.dcm');
      const refPixels = (await renderFrame(reference, 1, nodeWasm)).pixels.data;
      const file = open(name);
      expect(file.meta.modality).toBe('MR');
      expect(modalityRefusal(file)).toBeNull();
      expect(await stored(file)).toEqual(await stored(reference));
      const f = await renderFrame(file, 1, nodeWasm);
      expect(f.window).toEqual({ center: 600, width: 1600, source: 'file' });
      expect(Array.from(f.pixels.data)).toEqual(Array.from(refPixels));
    });

    it('the syntaxes are what the names say (the variants really exercise different decoders)', () => {
      const syntaxes = ['MR_small.dcm', ...VARIANTS].map((n) => open(n).transferSyntax.uid);
      expect(new Set(syntaxes)).toEqual(new Set(['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.80']));
    });

    it('a Buffer and a plain Uint8Array copy give the same pixels, and reading leaves the bytes as they were', async () => {
      for (const name of ['MR_small.dcm', 'MR_small_bigendian.dcm']) {
        const buffer = read(name);
        const before = Buffer.from(buffer);
        const a = await renderFrame(openDicom(buffer), 1, nodeWasm);
        const b = await renderFrame(openDicom(new Uint8Array(buffer)), 1, nodeWasm);
        expect(Array.from(a.pixels.data), name).toEqual(Array.from(b.pixels.data));
        expect(buffer.equals(before), `${name} bytes changed by reading`).toBe(true);
      }
    });
  });

  describe('colour secondary captures (SC_rgb_*)', () => {
    // pydicom's SC_rgb_rle.dcm (RGB, 8-bit) is the reference picture; the others are the same picture in
    // another syntax or bit depth. Lossless copies must match exactly, lossy ones within a tolerance.
    const LOSSLESS = ['SC_rgb_rle.dcm', 'SC_rgb_rle_16bit.dcm', 'SC_rgb_rle_32bit.dcm', 'SC_rgb_rle_2frame.dcm', 'SC_rgb_rle_16bit_2frame.dcm', 'SC_rgb_rle_32bit_2frame.dcm', 'SC_rgb_jpeg_gdcm.dcm'];
    const LOSSY = ['SC_rgb_dcmtk_+eb+cr.dcm', 'SC_rgb_dcmtk_+eb+cy+n1.dcm', 'SC_rgb_dcmtk_+eb+cy+n2.dcm', 'SC_rgb_dcmtk_+eb+cy+np.dcm', 'SC_rgb_dcmtk_+eb+cy+s2.dcm', 'SC_rgb_dcmtk_+eb+cy+s4.dcm', 'SC_rgb_gdcm_KY.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'SC_rgb_jpeg_lossy_gdcm.dcm', 'SC_ybr_full_422_uncompressed.dcm'];
    const reference = () => {
      const ref = pydicomPixelArray(pydicomPath('SC_rgb_rle_2frame.dcm'));
      expect(ref.shape).toEqual([2, 100, 100, 3]);
      const n = 100 * 100 * 3;
      return [ref.values.slice(0, n), ref.values.slice(n)];
    };

    it.each(LOSSLESS)('%s: RGB, channels 3, exactly pydicom\'s picture in every frame', async (name) => {
      const frames = reference();
      const file = open(name);
      expect(modalityRefusal(file)).toContain('OT');
      for (let k = 1; k <= file.image.frames; k++) {
        const f = await renderFrame(file, k, nodeWasm);
        expect(f.window).toBeNull();
        expect(f.pixels).toMatchObject({ width: 100, height: 100, channels: 3 });
        expect(Array.from(f.pixels.data), `${name} frame ${k}`).toEqual(frames[k - 1]);
      }
    });

    it.each(LOSSY)('%s: RGB, channels 3, close to pydicom\'s picture', async (name) => {
      const [frame] = reference();
      const file = open(name);
      expect(modalityRefusal(file)).toContain('OT');
      const f = await renderFrame(file, 1, nodeWasm);
      expect(f.pixels).toMatchObject({ width: 100, height: 100, channels: 3 });
      const { max, mean } = pixelDifference(f.pixels.data, frame!);
      // JPEG on flat colour bands: small errors at the band edges, none to speak of elsewhere
      expect(mean, name).toBeLessThan(3);
      expect(max, name).toBeLessThan(80);
    });

    it('the RGB bands are the colours pydicom documents (red, light red, green, … white)', async () => {
      const f = await renderFrame(open('SC_rgb_rle.dcm'), 1, nodeWasm);
      const at = (row: number) => Array.from(f.pixels.data.subarray((row * 100 + 50) * 3, (row * 100 + 50) * 3 + 3));
      expect([5, 15, 25, 35, 45, 55, 65, 75, 85, 95].map(at)).toEqual([
        [255, 0, 0], [255, 128, 128], [0, 255, 0], [128, 255, 128], [0, 0, 255], [128, 128, 255], [0, 0, 0], [64, 64, 64], [192, 192, 192], [255, 255, 255],
      ]);
    });
  });

  describe('files that are not a brain MRI, or not an image', () => {
    it.each([
      ['CT_small.dcm', 'CT'],
      ['rtdose.dcm', 'RTDOSE'],
      ['JPEG2000.dcm', 'NM'],
      ['JPEG-lossy.dcm', 'NM'],
      ['JPGExtended.dcm', 'NM'],
    ])('%s is refused by modality, naming %s', (name, modality) => {
      const file = open(name);
      expect(file.meta.modality).toBe(modality);
      const refusal = modalityRefusal(file);
      expect(refusal).toContain(modality);
      expect(refusal).toContain('not MR');
    });

    it.each(['CT_small.dcm', 'rtdose.dcm', 'JPEG2000.dcm'])("%s still decodes to pydicom's stored values in every frame", async (name) => {
      const ref = pydicomPixelArray(pydicomPath(name));
      const file = open(name);
      const perFrame = file.image.rows * file.image.columns;
      expect(ref.values.length).toBe(perFrame * file.image.frames);
      for (let k = 1; k <= file.image.frames; k++) {
        expect(await stored(file, k), `${name} frame ${k}`).toEqual(ref.values.slice((k - 1) * perFrame, k * perFrame));
        expect((await renderFrame(file, k, nodeWasm)).pixels).toMatchObject({ width: file.image.columns, height: file.image.rows, channels: 1 });
      }
    });

    // 12-bit JPEG Extended (the TypeScript decoder, jpeg12.ts); dicom-jpeg12.test.ts compares it with dcmdjpeg.
    it.each(['JPEG-lossy.dcm', 'JPGExtended.dcm'])('%s (12-bit JPEG Extended) decodes to grey', async (name) => {
      const file = open(name);
      expect(file.transferSyntax.uid).toBe('1.2.840.10008.1.2.4.51');
      const f = await renderFrame(file, 1, nodeWasm);
      expect(f.pixels).toMatchObject({ width: file.image.columns, height: file.image.rows, channels: 1 });
      const values = await stored(file);
      expect(values.reduce((m, v) => Math.max(m, v), 0)).toBe(264); // as dcmdjpeg decodes it: past 8 bits
    });

    it.each([
      ['test-SR.dcm', 'no_image'],
      ['waveform_ecg.dcm', 'no_image'],
      ['MR_truncated.dcm', 'corrupt_image'],
    ])('%s → %s', async (name, code) => {
      expect(await codeOf(async () => renderFrame(openDicom(read(name)), 1, nodeWasm))).toBe(code);
    });

    it('MR_truncated.dcm is refused when it is opened, before any pixel is decoded', async () => {
      expect(await codeOf(() => openDicom(read('MR_truncated.dcm')))).toBe('corrupt_image');
    });
  });
});

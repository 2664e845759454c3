// 12-bit JPEG Extended (1.2.840.10008.1.2.4.51, process 4) through the TypeScript DCT decoder (jpeg12.ts), with
// dcmtk's dcmdjpeg (IJG libjpeg, 12-bit build) as the reference: pydicom's two 12-bit NM files and 12-bit MR slices
// made from training JPEGs decode to dcmdjpeg's stored values within a small tolerance; malformed codestreams throw
// corrupt_image, quickly.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedValues } from '../../models/core/dicom/display.ts';
import { decodeFrame } from '../../models/core/dicom/frames.ts';
import { decodeJpegDct } from '../../models/core/dicom/jpeg12.ts';
import { DicomError, openDicom, renderFrame, type DicomImageFile } from '../../models/core/dicom/index.ts';
import { toGrey } from '../../models/core/preprocess.ts';
import { decodeImage } from '../../models/node/decode.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { encapsulatedPixelData, fromElements, imageElements } from '../../models/scripts/dicom-write.ts';
import { fixtureDir, pixelDifference, sampleJpegs, SYNTAXES, transcodeAll, variantFile } from '../support/dicom-fixtures.ts';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { available, hasData } from '../support/skip.ts';

const exec = promisify(execFile);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasDcmtk = has('dcmdjpeg') && has('dcmcjpeg');
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
/** Against IJG libjpeg's integer IDCT: largest and mean absolute difference of the stored (12-bit) values. */
const TOLERANCE = { max: 2, mean: 0.5 };

async function stored(file: DicomImageFile): Promise<Float64Array> {
  return storedValues(await decodeFrame(file, 0, nodeWasm), file.image);
}

/** The file decoded by dcmdjpeg to explicit VR little endian, then read (native) by our reader. */
async function reference(dir: string, path: string): Promise<Float64Array> {
  const out = join(dir, `${path.split('/').pop()!}.dcmdjpeg.dcm`);
  await exec('dcmdjpeg', [path, out]);
  const file = openDicom(readFileSync(out));
  expect(file.transferSyntax.codec).toBe('native');
  return stored(file);
}

/** The one JPEG codestream of a single-frame file (SOI … EOI). */
function codestream(bytes: Uint8Array): Uint8Array {
  let soi = -1;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd8 && bytes[i + 2] === 0xff) { soi = i; break; }
  }
  let eoi = -1;
  for (let i = bytes.length - 2; i > soi; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) { eoi = i + 2; break; }
  }
  expect(soi).toBeGreaterThan(0);
  return Uint8Array.from(bytes.subarray(soi, eoi)); // a copy: Buffer.slice would be a view into the file
}

/** Where marker 0xFF<code> starts in the header part of a codestream (before the first scan's data). */
function markerAt(jpeg: Uint8Array, code: number): number {
  for (let i = 2; i + 3 < jpeg.length;) {
    if (jpeg[i + 1] === code) return i;
    if (jpeg[i + 1] === 0xda) break;
    i += 2 + ((jpeg[i + 2]! << 8) | jpeg[i + 3]!);
  }
  throw new Error(`no marker ${code.toString(16)}`);
}

/** Bilinear resize of a grey picture. */
function resize(g: { data: Uint8Array; width: number; height: number }, width: number, height: number) {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(g.height - 1, Math.max(0, ((y + 0.5) * g.height) / height - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(g.height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(g.width - 1, Math.max(0, ((x + 0.5) * g.width) / width - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(g.width - 1, x0 + 1), wx = fx - x0;
      const at = (xx: number, yy: number) => g.data[yy * g.width + xx]!;
      const top = at(x0, y0) * (1 - wx) + at(x1, y0) * wx, bottom = at(x0, y1) * (1 - wx) + at(x1, y1) * wx;
      data[y * width + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return { data, width, height };
}

const run = available(hasDcmtk, 'dcmtk (apt-get install dcmtk)');

describe.runIf(run)('12-bit JPEG Extended against dcmdjpeg', () => {
  let fixtures: ReturnType<typeof fixtureDir>;
  const measured: string[] = [];
  beforeAll(() => {
    fixtures = fixtureDir();
  });
  afterAll(() => {
    console.log(`dicom-jpeg12, stored values vs dcmdjpeg:\n  ${measured.join('\n  ')}`);
    fixtures.remove();
  });

  describe.runIf(available(PYDICOM_TEST_FILES !== null, "pydicom's test files (apt-get install python3-pydicom)"))("pydicom's 12-bit NM files", () => {
    it.each(['JPGExtended.dcm', 'JPEG-lossy.dcm'])('%s decodes to dcmdjpeg\'s values, and renders', async (name) => {
      const file = openDicom(readFileSync(pydicomPath(name)));
      expect(file.transferSyntax.uid).toBe(JPEG_EXTENDED);
      expect(file.image).toMatchObject({ rows: 1024, columns: 256, bitsStored: 12 });
      const ours = await stored(file);
      const d = pixelDifference(ours, await reference(fixtures.dir, pydicomPath(name)));
      measured.push(`${name}: max ${d.max}, mean ${d.mean.toFixed(4)}`);
      expect(d.max).toBeLessThanOrEqual(TOLERANCE.max);
      expect(d.mean).toBeLessThanOrEqual(TOLERANCE.mean);
      const f = await renderFrame(file, 1, nodeWasm);
      expect(f.pixels).toMatchObject({ width: 256, height: 1024, channels: 1 });
    });
  });

  describe.runIf(available(hasData, 'the MRI data folder (../shared/data/brain-mri)'))('12-bit MR slices made from training JPEGs (dcmcjpeg +ee +q 95)', () => {
    const syntax = SYNTAXES.find((s) => s.name === 'jpeg-extended')!;
    const made: Array<{ source: string; path: string; width: number; height: number }> = [];
    beforeAll(async () => {
      for (const [i, source] of sampleJpegs(4).entries()) {
        const pixels = await decodeImage(readFileSync(source));
        const grey = { data: toGrey(pixels).grey, width: pixels.width, height: pixels.height };
        const paths = await transcodeAll(fixtures.dir, `${i}-12bit`, variantFile('12bit', grey, i).bytes, [syntax]);
        made.push({ source, path: paths.get('jpeg-extended')!, width: grey.width, height: grey.height });
        if (i === 0) {
          // The training JPEGs are 224 × 224; a scanner slice is often 512 × 512: the first one enlarged to that.
          const big = resize(grey, 512, 512);
          const p512 = await transcodeAll(fixtures.dir, `${i}-12bit-512`, variantFile('12bit', big, 100).bytes, [syntax]);
          made.push({ source: `${source} at 512²`, path: p512.get('jpeg-extended')!, width: 512, height: 512 });
        }
      }
    }, 60_000);

    it('decode within tolerance of dcmdjpeg; a 512 × 512 slice in well under a second', async () => {
      for (const m of made) {
        const file = openDicom(readFileSync(m.path));
        expect(file.transferSyntax.uid).toBe(JPEG_EXTENDED);
        // precision 12 in the frame header: the TypeScript decoder, not libjpeg-turbo
        const jpeg = codestream(readFileSync(m.path));
        expect(jpeg[markerAt(jpeg, 0xc1) + 4]).toBe(12);
        const started = performance.now();
        const ours = await stored(file);
        const ms = performance.now() - started;
        const d = pixelDifference(ours, await reference(fixtures.dir, m.path));
        measured.push(`${m.source.split('/').slice(-2).join('/')} (${m.width}×${m.height}): max ${d.max}, mean ${d.mean.toFixed(4)}, ${ms.toFixed(0)} ms`);
        expect(d.max, m.source).toBeLessThanOrEqual(TOLERANCE.max);
        expect(d.mean, m.source).toBeLessThanOrEqual(TOLERANCE.mean);
        expect(ms).toBeLessThan(2000);
      }
    });

    describe('malformed 12-bit codestreams throw corrupt_image, quickly', () => {
      let good: Uint8Array;
      let size: { width: number; height: number };
      beforeAll(() => {
        good = codestream(readFileSync(made[0]!.path));
        size = { width: made[0]!.width, height: made[0]!.height };
      });

      /** The codestream as the one fragment of a 12-bit MR file in JPEG Extended. */
      function wrap(jpeg: Uint8Array): DicomImageFile {
        const els = imageElements({
          rows: size.height, columns: size.width, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0,
          photometric: 'MONOCHROME2', pixels: new Uint16Array(size.width * size.height),
        }).filter(([tag]) => tag !== 0x7fe00010);
        els.push([0x7fe00010, encapsulatedPixelData([jpeg])]);
        return openDicom(fromElements(els, { transferSyntax: JPEG_EXTENDED }));
      }

      async function outcome(jpeg: Uint8Array): Promise<string> {
        const started = performance.now();
        try {
          await decodeFrame(wrap(jpeg), 0, nodeWasm);
          return 'decoded';
        } catch (e) {
          if (!(e instanceof DicomError)) throw e;
          return e.code;
        } finally {
          expect(performance.now() - started).toBeLessThan(2000);
        }
      }

      const edit = (f: (j: Uint8Array) => Uint8Array | void) => () => {
        const j = Uint8Array.from(good);
        return f(j) ?? j;
      };

      it('the untouched codestream decodes', async () => {
        expect(await outcome(good)).toBe('decoded');
      });

      it.each<[string, () => Uint8Array]>([
        ['cut in the middle of the scan', () => good.slice(0, good.length >> 1)],
        ['cut in the middle of the scan, EOI after', () => Uint8Array.from([...good.subarray(0, good.length >> 1), 0xff, 0xd9])],
        ['cut in the headers', () => good.slice(0, markerAt(good, 0xda) - 10)],
        ['a Huffman table with more codes than its lengths allow', edit((j) => {
          const at = markerAt(j, 0xc4) + 5; // counts of the first table, lengths 1–16
          let moved = 0;
          for (let len = 15; len >= 0 && moved < 2; len--) {
            const take = Math.min(2 - moved, j[at + len]!);
            j[at + len]! -= take;
            moved += take;
          }
          j[at]! += 2; // with the other codes, three of length 1 or more: no prefix code
        })],
        ['a Huffman table longer than its segment', edit((j) => { j[markerAt(j, 0xc4) + 5 + 15] = 200; })],
        ['a frame header length that does not fit its components', edit((j) => { j[markerAt(j, 0xc1) + 3]! += 1; })],
        ['a quantisation table segment running past the end', edit((j) => { j[markerAt(j, 0xdb) + 2] = 0xff; })],
        ['a scan header length that does not fit its components', edit((j) => { j[markerAt(j, 0xda) + 3]! += 2; })],
        ['a scan naming a Huffman table never defined', edit((j) => { j[markerAt(j, 0xda) + 6] = 0x33; })],
        ['progressive (SOF2)', edit((j) => { j[markerAt(j, 0xc1) + 1] = 0xc2; })],
        ['arithmetic coding (SOF9)', edit((j) => { j[markerAt(j, 0xc1) + 1] = 0xc9; })],
        ['precision 16', edit((j) => { j[markerAt(j, 0xc1) + 4] = 16; })],
      ])('%s', async (_what, make) => {
        expect(await outcome(make())).toBe('corrupt_image');
      });

      it('flipped bytes anywhere: a DicomError or an image, never a hang or another exception', async () => {
        let seed = 12345;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const started = performance.now();
        const seen = new Set<string>();
        for (let n = 0; n < 200; n++) {
          const j = Uint8Array.from(good);
          for (let k = 0; k < 4; k++) j[Math.floor(random() * (n % 2 ? 200 : j.length))] = Math.floor(random() * 256);
          seen.add(await outcome(j));
        }
        expect([...seen].every((c) => c === 'decoded' || c === 'corrupt_image'), [...seen].join()).toBe(true);
        expect(performance.now() - started).toBeLessThan(20_000);
      });

      it('the decoder on its own refuses a frame of another size than the file says', () => {
        expect(() => decodeJpegDct(good, { width: size.width + 1, height: size.height })).toThrow(/expected/);
      });
    });
  });
});

// The same decoder on 8-bit baseline JPEGs, against libjpeg-turbo (sharp): the training JPEGs are greyscale or
// YCbCr 4:2:0, so this checks 8-bit tables, three components and their sampling factors too.
describe.runIf(available(hasData, 'the MRI data folder (../shared/data/brain-mri)'))('8-bit JPEGs against libjpeg-turbo', () => {
  it('greyscale and YCbCr 4:2:0 training JPEGs within 1 of sharp', async () => {
    const c8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
    const kinds = new Set<number>();
    for (const path of sampleJpegs(8)) {
      const bytes = new Uint8Array(readFileSync(path));
      const ref = await decodeImage(bytes);
      const ours = decodeJpegDct(bytes, { width: ref.width, height: ref.height });
      expect(ours).toMatchObject({ precision: 8, width: ref.width, height: ref.height });
      kinds.add(ours.components);
      const s = ours.samples;
      const mine = new Uint8Array(ref.data.length);
      for (let p = 0; p < ref.width * ref.height; p++) {
        if (ours.components === 1) {
          mine[p * ref.channels] = s[p]!;
          continue;
        }
        // YCbCr (JFIF) → RGB, as libjpeg does; the DICOM path leaves this to the Photometric Interpretation.
        const [y, cb, cr] = [s[p * 3]!, s[p * 3 + 1]! - 128, s[p * 3 + 2]! - 128];
        mine.set([c8(y + 1.402 * cr), c8(y - 0.344136 * cb - 0.714136 * cr), c8(y + 1.772 * cb)], p * 3);
      }
      expect(ref.channels).toBe(ours.components);
      expect(pixelDifference(mine, ref.data).max, path).toBeLessThanOrEqual(1);
    }
    expect([...kinds].sort()).toEqual([1, 3]);
  });
});

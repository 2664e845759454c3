// The reader's stored → display steps (models/core/dicom/display.ts) against the standard: the window functions of
// PS3.3 C.11.2.1.2 at chosen points (expected values worked out from the formulas quoted below), Bits Stored and
// High Bit masking, signed pixels, Rescale and the Modality LUT (C.11.1), the VOI LUT (C.11.2.1.1), MONOCHROME1
// inverted (C.7.6.3.1.2); then the same through whole files, so parse.ts reads the attributes as display.ts uses them.
import { describe, expect, it } from 'vitest';
import { modalityValues, storedValues, toDisplay, windowFunction } from '../../models/core/dicom/display.ts';
import type { DecodedFrame, Samples } from '../../models/core/dicom/frames.ts';
import { decodeFrame } from '../../models/core/dicom/frames.ts';
import { openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import type { ImageInfo, Lut, Rendering } from '../../models/core/dicom/parse.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { concat, element, fromElements, imageElements, item, str, type ImageSpec, type TaggedElement } from '../../models/scripts/dicom-write.ts';

const image = (columns: number, over: Partial<ImageInfo> = {}): ImageInfo => ({
  rows: 1, columns, frames: 1, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0, photometric: 'MONOCHROME2', planarConfiguration: 0, ...over,
});
const rendering = (over: Partial<Rendering> = {}): Rendering => ({ rescaleSlope: 1, rescaleIntercept: 0, modalityLut: null, windows: [], voiFunction: 'LINEAR', voiLut: null, ...over });
const frame = (samples: Samples, shift = 0): DecodedFrame => ({ samples, components: 1, rgb: false, shift, planar: false });
const lut = (firstMapped: number, bits: number, data: number[]): Lut => ({ firstMapped, bits, data: Uint16Array.from(data) });

/** Grey of a row of stored values (16-bit unsigned unless `over` says otherwise). */
function display(values: number[], r: Partial<Rendering> = {}, over: Partial<ImageInfo> = {}) {
  const info = image(values.length, over);
  const samples = info.bitsAllocated === 8 ? Uint8Array.from(values) : Uint16Array.from(values);
  const out = toDisplay(frame(samples, info.highBit + 1 - info.bitsStored), info, rendering(r));
  return { grey: Array.from(out.pixels.data), window: out.window };
}

describe('window functions, PS3.3 C.11.2.1.2 (output range 0–255)', () => {
  it('LINEAR: x ≤ c − 0.5 − (w−1)/2 → 0; x > c − 0.5 + (w−1)/2 → 255; else ((x − (c − 0.5)) / (w−1) + 0.5) · 255', () => {
    const f = windowFunction('LINEAR', 40, 400); // bounds −160 and 239
    const points: Array<[number, number]> = [
      [-1000, 0], [-160, 0], [-159, 0.6390977443609023], [39.5, 127.5], [100, 166.16541353383457], [238, 254.3609022556391], [239, 255], [239.001, 255], [5000, 255],
    ];
    for (const [x, y] of points) expect(f(x), `x = ${x}`).toBeCloseTo(y, 9);
  });

  it('LINEAR with the smallest width, 1: a step at c − 0.5', () => {
    const f = windowFunction('LINEAR', 100, 1);
    expect([f(99), f(99.5), f(99.5001), f(100), f(101)]).toEqual([0, 0, 255, 255, 255]);
  });

  it('LINEAR_EXACT: x ≤ c − w/2 → 0; x > c + w/2 → 255; else ((x − c) / w + 0.5) · 255', () => {
    const f = windowFunction('LINEAR_EXACT', 0, 100);
    const points: Array<[number, number]> = [[-51, 0], [-50, 0], [-49, 2.55], [0, 127.5], [25, 191.25], [50, 255], [50.001, 255]];
    for (const [x, y] of points) expect(f(x), `x = ${x}`).toBeCloseTo(y, 9);
    // unlike LINEAR, widths below 1 are allowed
    const narrow = windowFunction('LINEAR_EXACT', 10, 0.5);
    expect([narrow(9.75), narrow(10), narrow(10.25), narrow(10.26)]).toEqual([0, 127.5, 255, 255]);
  });

  it('LINEAR and LINEAR_EXACT differ by half a value: the centre is c − 0.5 for one, c for the other', () => {
    expect(windowFunction('LINEAR', 1000, 2001)(999.5)).toBe(127.5);
    expect(windowFunction('LINEAR_EXACT', 1000, 2001)(1000)).toBe(127.5);
    expect(windowFunction('LINEAR', 1000, 2001)(1000)).toBeGreaterThan(127.5);
  });

  it('SIGMOID: 255 / (1 + exp(−4 (x − c) / w)), never quite 0 or 255', () => {
    const f = windowFunction('SIGMOID', 50, 20);
    const points: Array<[number, number]> = [[50, 127.5], [55, 186.41993755065124], [40, 30.396745115639977], [70, 250.41351645966665], [0, 0.01157645651912077]];
    for (const [x, y] of points) expect(f(x), `x = ${x}`).toBeCloseTo(y, 9);
    expect(f(-1e6)).toBeGreaterThanOrEqual(0);
    expect(f(1e6)).toBeLessThanOrEqual(255);
  });
});

describe('toDisplay: the file\'s window, else its VOI LUT, else min–max; MONOCHROME1 inverted', () => {
  it('rounds the LINEAR window onto 8 bits and says it came from the file', () => {
    const { grey, window } = display([0, 100, 39, 40, 239, 240], { windows: [{ center: 40, width: 400 }] }, { bitsStored: 16 });
    // 0 → (0 − 39.5)/399 + 0.5 = 0.40100…·255 = 102.26; 100 → 166.17; 39 → 127.18; 40 → 127.82; 239 → 255
    expect(grey).toEqual([102, 166, 127, 128, 255, 255]);
    expect(window).toEqual({ center: 40, width: 400, source: 'file' });
  });

  it('uses the first of several windows, with the file\'s VOI LUT Function', () => {
    const { grey, window } = display([40, 50, 60], { windows: [{ center: 50, width: 20 }, { center: 0, width: 10 }], voiFunction: 'SIGMOID' });
    expect(grey).toEqual([30, 128, 225]);
    expect(window).toEqual({ center: 50, width: 20, source: 'file' });
  });

  it('with no VOI at all: min to max, LINEAR_EXACT', () => {
    const { grey, window } = display([100, 150, 200, 125]);
    expect(grey).toEqual([0, 128, 255, 64]);
    expect(window).toEqual({ center: 150, width: 100, source: 'auto' });
  });

  it('MONOCHROME1: the minimum is white, for a window, a VOI LUT and the automatic window alike', () => {
    const values = [100, 150, 200, 125];
    const cases: Array<Partial<Rendering>> = [{ windows: [{ center: 150, width: 80 }] }, { voiLut: lut(100, 8, Array.from({ length: 101 }, (_, i) => Math.round(i * 2.55))) }, {}];
    for (const r of cases) {
      const two = display(values, r).grey;
      const one = display(values, r, { photometric: 'MONOCHROME1' }).grey;
      expect(one).toEqual(two.map((v) => 255 - v));
      expect(one[0]).toBe(255);
      expect(one[2]).toBe(0);
    }
  });
});

describe('stored values: Bits Stored, High Bit and the sign (PS3.5 8.1.1, PS3.3 C.7.6.3.1)', () => {
  it('takes the Bits Stored bits below High Bit and drops the rest, also when High Bit is not Bits Stored − 1', () => {
    // 12 bits stored at bits 2–13 of 16: garbage in bits 0–1 and 14–15
    const info = image(5, { bitsStored: 12, highBit: 13 });
    const values = [0, 1, 2047, 2048, 4095];
    const samples = Uint16Array.from(values, (v, i) => ((i % 4) << 14) | (v << 2) | (3 - (i % 4)));
    expect(Array.from(storedValues(frame(samples, 2), info))).toEqual(values);
    // the same values at the usual place (High Bit 11), with overlay bits above them
    const top = Uint16Array.from(values, (v) => 0xf000 | v);
    expect(Array.from(storedValues(frame(top), image(5, { bitsStored: 12, highBit: 11 })))).toEqual(values);
  });

  it('sign-extends from bit Bits Stored − 1 for Pixel Representation 1, wherever High Bit is', () => {
    const values = [-2048, -1, 0, 1, 2047];
    const pattern = (v: number) => v & 0xfff;
    const atBit13 = Uint16Array.from(values, (v) => (0b11 << 14) | (pattern(v) << 2) | 0b01);
    expect(Array.from(storedValues(frame(atBit13, 2), image(5, { bitsStored: 12, highBit: 13, pixelRepresentation: 1 })))).toEqual(values);
    const sixteen = Uint16Array.of(0x0000, 0x7fff, 0x8000, 0xffff);
    expect(Array.from(storedValues(frame(sixteen), image(4, { pixelRepresentation: 1 })))).toEqual([0, 32767, -32768, -1]);
    const eight = Uint8Array.of(0x80, 0xff, 0x7f, 0x00);
    expect(Array.from(storedValues(frame(eight), image(4, { bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 1 })))).toEqual([-128, -1, 127, 0]);
  });

  it('keeps unsigned 32-bit values whole, and signs them when asked', () => {
    const samples = Uint32Array.of(0xffffffff, 0x80000000, 1);
    expect(Array.from(storedValues(frame(samples), image(3, { bitsAllocated: 32, bitsStored: 32, highBit: 31 })))).toEqual([4294967295, 2147483648, 1]);
    expect(Array.from(storedValues(frame(samples), image(3, { bitsAllocated: 32, bitsStored: 32, highBit: 31, pixelRepresentation: 1 })))).toEqual([-1, -2147483648, 1]);
  });

  it('a signed image displays by its signed values: −1 is below 0, not 65535', () => {
    const { grey } = display([0xffff, 0, 1], {}, { pixelRepresentation: 1 });
    expect(grey).toEqual([0, 128, 255]);
  });
});

describe('modality: Rescale Slope / Intercept, or the Modality LUT (PS3.3 C.11.1)', () => {
  it('rescale: stored × slope + intercept', () => {
    expect(Array.from(modalityValues(Float64Array.of(-2, 0, 3, 1000), rendering({ rescaleSlope: 2.5, rescaleIntercept: -1024 })))).toEqual([-1029, -1024, -1016.5, 1476]);
  });

  it('the LUT maps first-mapped onward; values below take the first entry, above the last; rescale is then ignored', () => {
    const r = rendering({ modalityLut: lut(-2, 16, [10, 20, 30, 40]), rescaleSlope: 100, rescaleIntercept: 7 });
    expect(Array.from(modalityValues(Float64Array.of(-5, -2, -1, 0, 1, 7), r))).toEqual([10, 10, 20, 30, 40, 40]);
  });

  it('the window applies to the rescaled values', () => {
    // stored 0…4 → 2·x − 4 = −4…4; window 0/4 (LINEAR_EXACT) → −2 and below black, 2 and above white
    const { grey } = display([0, 1, 2, 3, 4], { rescaleSlope: 2, rescaleIntercept: -4, windows: [{ center: 0, width: 4 }], voiFunction: 'LINEAR_EXACT' });
    expect(grey).toEqual([0, 0, 128, 255, 255]);
  });
});

describe('the VOI LUT (PS3.3 C.11.2.1.1), used when the file has no window', () => {
  it('maps through the table, clamps outside it, scales its bit depth onto 8 bits', () => {
    const reversed = lut(10, 8, Array.from({ length: 256 }, (_, i) => 255 - i));
    const { grey, window } = display([0, 10, 11, 137, 265, 400], { voiLut: reversed });
    expect(grey).toEqual([255, 255, 254, 128, 0, 0]);
    expect(window).toEqual({ center: 138, width: 256, source: 'lut' });
    // 12-bit entries: 4095 is white, 2048 is 2048 · 255/4095 = 127.5 → 128
    expect(display([0, 1, 2], { voiLut: lut(0, 12, [0, 4095, 2048]) }).grey).toEqual([0, 255, 128]);
  });

  it('a table declared 16-bit whose entries stay within 12 bits is scaled as 12-bit (as such files are meant)', () => {
    expect(display([0, 1, 2], { voiLut: lut(0, 16, [0, 4095, 2048]) }).grey).toEqual([0, 255, 128]);
    expect(display([0, 1], { voiLut: lut(0, 16, [0, 65535]) }).grey).toEqual([0, 255]);
  });

  it('a window in the file wins over its VOI LUT', () => {
    const { window } = display([0, 1, 2], { windows: [{ center: 1, width: 2 }], voiLut: lut(0, 8, [0, 1, 2]) });
    expect(window?.source).toBe('file');
  });
});

describe('the same, read from whole files (parse.ts → display.ts)', () => {
  const spec = (over: Partial<ImageSpec> = {}): ImageSpec => ({
    rows: 2, columns: 3, bitsAllocated: 16, bitsStored: 16, highBit: 15, pixelRepresentation: 0, photometric: 'MONOCHROME2',
    pixels: Uint16Array.of(0, 1, 2, 3, 4, 5), ...over,
  });
  const lutItem = (descriptorVr: 'US' | 'SS', descriptor: [number, number, number], data: number[]) => item(concat([
    element(0x0028, 0x3002, descriptorVr, new Uint8Array(Uint16Array.from(descriptor.map((d) => d & 0xffff)).buffer)),
    element(0x0028, 0x3006, 'OW', new Uint8Array(Uint16Array.from(data).buffer)),
  ]));
  const file = (s: ImageSpec, extra: TaggedElement[] = []) => openDicom(fromElements([...imageElements(s), ...extra]));
  const grey = async (s: ImageSpec, extra: TaggedElement[] = []) => {
    const f = await renderFrame(file(s, extra), 1, nodeWasm);
    return { grey: Array.from(f.pixels.data), window: f.window };
  };

  it('High Bit not at Bits Stored − 1 in the file: the reader shifts by High Bit + 1 − Bits Stored', async () => {
    const values = [0, 1, 2047, 2048, 4095, 3];
    const f = file(spec({ bitsStored: 12, highBit: 13, pixels: Uint16Array.from(values, (v) => 0xc000 | (v << 2) | 0b10) }));
    expect(Array.from(storedValues(await decodeFrame(f, 0, nodeWasm), f.image))).toEqual(values);
  });

  it('the first of several windows (DS values with a backslash) and the VOI LUT Function', async () => {
    const s = spec({ pixels: Uint16Array.of(40, 45, 50, 55, 60, 50) });
    const extra: TaggedElement[] = [
      [0x00281050, str(0x0028, 0x1050, 'DS', '50\\0')],
      [0x00281051, str(0x0028, 0x1051, 'DS', '20\\10')],
      [0x00281056, str(0x0028, 0x1056, 'CS', 'SIGMOID')],
    ];
    const { grey: g, window } = await grey(s, extra);
    expect(g).toEqual([30, 69, 128, 186, 225, 128]);
    expect(window).toEqual({ center: 50, width: 20, source: 'file' });
  });

  it('a Modality LUT Sequence with a signed first-mapped value (SS descriptor), then the automatic window', async () => {
    // stored −2…3 signed; LUT from −1: [100, 200, 300]; −2 clamps to 100, 3 to 300
    const s = spec({ pixelRepresentation: 1, pixels: Uint16Array.from([-2, -1, 0, 1, 2, 3], (v) => v & 0xffff) });
    const { grey: g, window } = await grey(s, [[0x00283000, element(0x0028, 0x3000, 'SQ', lutItem('SS', [3, -1, 16], [100, 200, 300]))]]);
    expect(g).toEqual([0, 0, 128, 255, 255, 255]);
    expect(window).toEqual({ center: 200, width: 200, source: 'auto' });
  });

  it('a VOI LUT Sequence, and MONOCHROME1 inverts it', async () => {
    const extra: TaggedElement[] = [[0x00283010, element(0x0028, 0x3010, 'SQ', lutItem('US', [6, 0, 12], [4095, 3276, 2457, 1638, 819, 0]))]];
    const two = await grey(spec(), extra);
    expect(two.grey).toEqual([255, 204, 153, 102, 51, 0]);
    expect(two.window?.source).toBe('lut');
    const one = await grey(spec({ photometric: 'MONOCHROME1' }), extra);
    expect(one.grey).toEqual([0, 51, 102, 153, 204, 255]);
  });

  it('Rescale Slope and Intercept in the file, signed pixels, LINEAR window', async () => {
    // stored −1000…1000 → ×0.5 + 500 → 0…1000; window 500.5/1001 (LINEAR) maps 0…1000 onto 0…255 exactly
    const stored = [-1000, -600, 0, 200, 600, 1000];
    const s = spec({ pixelRepresentation: 1, pixels: Uint16Array.from(stored, (v) => v & 0xffff), rescale: { slope: 0.5, intercept: 500 }, window: { center: 500.5, width: 1001 } });
    const { grey: g } = await grey(s);
    expect(g).toEqual(stored.map((v) => Math.round(((v * 0.5 + 500) / 1000) * 255)));
  });
});

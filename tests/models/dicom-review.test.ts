// Crafted files for what a review found: a deflate bomb, a JPEG frame header hidden behind a standalone marker, a
// High Bit out of range, a signed Modality LUT typed US, Enhanced MR functional groups, a frame over the limit.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DicomError, openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { MAX_INFLATED_BYTES } from '../../models/core/dicom/parse.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import {
  concat, element, encapsulatedPixelData, fromElements, imageElements, item, part10, sequence, str, us, type ImageSpec, type TaggedElement,
} from '../../models/scripts/dicom-write.ts';

const grey16 = (n: number, f: (i: number) => number) => Uint16Array.from({ length: n }, (_, i) => f(i));
const spec = (over: Partial<ImageSpec> = {}): ImageSpec => ({
  rows: 64, columns: 64, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
  pixels: grey16(64 * 64, (i) => (i * 7) % 4096), window: { center: 2048, width: 4096 }, ...over,
});
const codeOf = async (bytes: Uint8Array) => {
  try {
    await renderFrame(openDicom(bytes), 1, nodeWasm);
    return 'decoded';
  } catch (e) {
    expect(e).toBeInstanceOf(DicomError);
    return (e as DicomError).code;
  }
};
const replace = (els: TaggedElement[], tag: number, bytes: Uint8Array | null) => {
  const rest = els.filter(([t]) => t !== tag);
  return bytes ? [...rest, [tag, bytes] as TaggedElement] : rest;
};

describe('DICOM reader, crafted files', () => {
  it('a deflated data set that inflates past the cap is too_large, refused before it is held', async () => {
    const zeros = new Uint8Array(MAX_INFLATED_BYTES + (1 << 20));
    const bytes = part10(new Uint8Array(deflateRawSync(zeros, { level: 9 })), { transferSyntax: '1.2.840.10008.1.2.1.99' });
    expect(bytes.length).toBeLessThan(1 << 20);
    const before = process.memoryUsage().rss;
    expect(await codeOf(bytes)).toBe('too_large');
    expect(process.memoryUsage().rss - before).toBeLessThan(MAX_INFLATED_BYTES * 1.5);
  });

  it('a real deflated file still reads', async () => {
    const els = imageElements(spec());
    const body = concat([...els].sort((a, b) => a[0] - b[0]).map(([, b]) => b));
    const bytes = part10(new Uint8Array(deflateRawSync(body)), { transferSyntax: '1.2.840.10008.1.2.1.99' });
    const f = await renderFrame(openDicom(bytes), 1, nodeWasm);
    expect(f.pixels.width).toBe(64);
  });

  it('a JPEG lossless frame whose SOF hides behind a standalone marker and claims 20000² is corrupt, not an 800 MB decode', async () => {
    // SOI, TEM (standalone), SOF3 claiming 20000 × 20000, then junk.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0x01, 0xff, 0xc3, 0x00, 0x0b, 0x0c, 0x4e, 0x20, 0x4e, 0x20, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    const els = replace(imageElements(spec()), 0x7fe00010, encapsulatedPixelData([jpeg]));
    const bytes = fromElements(els, { transferSyntax: '1.2.840.10008.1.2.4.70' });
    const before = process.memoryUsage().arrayBuffers;
    expect(await codeOf(bytes)).toBe('corrupt_image');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('a High Bit below Bits Stored − 1 or past Bits Allocated is corrupt_image', async () => {
    for (const highBit of [5, 16]) {
      const els = replace(imageElements(spec()), 0x00280102, us(0x0028, 0x0102, highBit));
      expect(await codeOf(fromElements(els)), `High Bit ${highBit}`).toBe('corrupt_image');
    }
  });

  it('a signed Modality LUT typed US maps negative stored values', async () => {
    // Stored −100 … +100 (signed), a LUT from −100 mapping v → v + 100, descriptor typed US as many files do.
    const pixels = grey16(64 * 64, (i) => ((i % 201) - 100) & 0xffff);
    const lut = Uint16Array.from({ length: 201 }, (_, i) => i);
    const lutItem = item(concat([
      element(0x0028, 0x3002, 'US', new Uint8Array(new Uint16Array([201, (-100) & 0xffff, 16]).buffer)),
      element(0x0028, 0x3006, 'OW', new Uint8Array(lut.buffer)),
    ]));
    let els = imageElements(spec({ bitsStored: 16, highBit: 15, pixelRepresentation: 1, pixels, window: { center: 100.5, width: 201, fn: 'LINEAR_EXACT' } }));
    els = [...els, [0x00283000, sequence(0x0028, 0x3000, [lutItem])]];
    const f = await renderFrame(openDicom(fromElements(els)), 1, nodeWasm);
    // Stored −100 → LUT 0 → black; stored +100 → LUT 200 → near white.
    expect(f.pixels.data[0]).toBe(0);
    expect(f.pixels.data[200]).toBeGreaterThan(250);
  });

  it('Enhanced MR: the window, rescale and geometry come from the functional groups, per frame where given', async () => {
    const frames = 2;
    const pixels = grey16(64 * 64 * frames, (i) => (i % 4096));
    const voi = (c: number, w: number) => sequence(0x0028, 0x9132, [item(concat([str(0x0028, 0x1050, 'DS', String(c)), str(0x0028, 0x1051, 'DS', String(w))]))]);
    const plane = (z: number) => sequence(0x0020, 0x9113, [item(str(0x0020, 0x0032, 'DS', `0\\0\\${z}`))]);
    const shared = sequence(0x5200, 0x9229, [item(concat([
      sequence(0x0020, 0x9116, [item(str(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0'))]),
      sequence(0x0028, 0x9110, [item(str(0x0028, 0x0030, 'DS', '0.9\\0.9'))]),
    ]))]);
    const perFrame = sequence(0x5200, 0x9230, [item(concat([plane(0), voi(1000, 2000)])), item(concat([plane(5), voi(3000, 2000)]))]);
    let els = imageElements(spec({ frames, pixels, window: undefined, sopClass: '1.2.840.10008.5.1.4.1.1.4.1' }));
    els = [...els, [0x52009229, shared], [0x52009230, perFrame]];
    const file = openDicom(fromElements(els, { sopClass: '1.2.840.10008.5.1.4.1.1.4.1' }));
    expect(file.meta.imageOrientation).toEqual([1, 0, 0, 0, 1, 0]);
    expect(file.meta.pixelSpacing).toEqual([0.9, 0.9]);
    const [one, two] = [await renderFrame(file, 1, nodeWasm), await renderFrame(file, 2, nodeWasm)];
    expect(one.window).toEqual({ center: 1000, width: 2000, source: 'file' });
    expect(two.window).toEqual({ center: 3000, width: 2000, source: 'file' });
  });

  it('a frame over 4096² is too_large from the header, before any pixel is decoded', async () => {
    let els = imageElements(spec());
    els = replace(els, 0x00280010, us(0x0028, 0x0010, 5000));
    els = replace(els, 0x00280011, us(0x0028, 0x0011, 5000));
    expect(await codeOf(fromElements(els))).toBe('too_large');
  });
});

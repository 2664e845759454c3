// The WASM libjpeg-turbo path for plain JPEGs (models/node/decode-jpeg.ts) gives exactly sharp's pixels, on every
// MRI in ../shared and on generated variants; every JPEG it does not take still decodes (or fails) through sharp.
import { readdirSync, readFileSync } from 'node:fs';
import sharp, { type JpegOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegMarkers } from '../../models/core/jpeg-markers.ts';
import { sniffImageType } from '../../models/core/sniff.ts';
import { decodeImage, decodeWithSharp } from '../../models/node/decode.ts';
import { decodePlainJpeg } from '../../models/node/decode-jpeg.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';

const FOLDERS = ['brain-mri/Training/glioma', 'brain-mri/Training/meningioma', 'brain-mri/Training/notumor', 'brain-mri/Training/pituitary', 'brain-mri-binary/tumor'];

/** A grey gradient with a bright disc, as RGB or grey pixels. */
function picture(width: number, height: number, channels: 1 | 3): Buffer {
  const px = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (width / 3) ** 2;
    for (let c = 0; c < channels; c++) px[(y * width + x) * channels + c] = inside ? 180 + c * 20 : (x * 255) / width;
  }
  return px;
}
const jpeg = (width: number, height: number, channels: 1 | 3, options: JpegOptions = {}) =>
  sharp(picture(width, height, channels), { raw: { width, height, channels } }).jpeg({ quality: 90, ...options }).toBuffer();

/** The JPEG with an APP1 Exif segment after SOI holding only IFD0's Orientation (big-endian TIFF). */
function withOrientation(jpegBytes: Buffer, orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpegBytes.subarray(0, 2), head, body, jpegBytes.subarray(2)]);
}

function expectSame(a: Awaited<ReturnType<typeof decodeImage>>, b: Awaited<ReturnType<typeof decodeImage>>, name: string) {
  expect([a.width, a.height, a.channels], name).toEqual([b.width, b.height, b.channels]);
  expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)), name).toBe(0);
}

describe('plain JPEGs through WASM libjpeg-turbo', () => {
  it.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('gives exactly sharp’s pixels on every MRI JPEG in ../shared', async () => {
    let n = 0, grey = 0, other = 0;
    for (const folder of FOLDERS) {
      for (const f of readdirSync(`${DATA_DIR}${folder}`).filter((x) => /\.jpe?g$/i.test(x))) {
        const bytes = readFileSync(`${DATA_DIR}${folder}/${f}`);
        if (sniffImageType(bytes) !== 'jpeg') { other++; continue; } // a few are PNGs named .jpg
        const fast = await decodePlainJpeg(bytes);
        expect(fast, `${folder}/${f} took the WASM path`).not.toBeNull();
        expectSame(fast!, await decodeWithSharp(bytes, 'jpeg'), `${folder}/${f}`);
        n++;
        if (fast!.channels === 1) grey++;
      }
    }
    console.log(`[decode-jpeg] ${n} MRI JPEGs (${grey} grey, ${n - grey} YCbCr): pixels identical to sharp's; ${other} files named .jpg hold another type`);
    expect(n).toBeGreaterThan(6000);
  }, 300_000);

  it('takes baseline, progressive, 4:4:4 and odd-sized JPEGs, with sharp’s pixels', async () => {
    const cases: Array<[string, Buffer]> = [
      ['grey 224²', await jpeg(224, 224, 1)],
      ['YCbCr 4:2:0 odd size', await jpeg(301, 257, 3)],
      ['YCbCr 4:4:4', await jpeg(160, 200, 3, { chromaSubsampling: '4:4:4' })],
      ['progressive', await jpeg(256, 192, 3, { progressive: true })],
      ['progressive grey', await jpeg(100, 90, 1, { progressive: true })],
    ];
    for (const [name, bytes] of cases) {
      const fast = await decodePlainJpeg(bytes);
      expect(fast, name).not.toBeNull();
      expectSame(fast!, await decodeWithSharp(bytes, 'jpeg'), name);
    }
  });

  it('leaves rotated (EXIF), colour-managed (ICC) and CMYK JPEGs to sharp, which applies them', async () => {
    const base = sharp(picture(120, 80, 3), { raw: { width: 120, height: 80, channels: 3 } });
    const plain = await base.clone().jpeg().toBuffer();
    const rotated = withOrientation(plain, 6);
    expect(jpegMarkers(rotated).orientation).toBe(6);
    expect(await decodePlainJpeg(rotated)).toBeNull();
    const upright = await decodeImage(rotated);
    expect([upright.width, upright.height]).toEqual([80, 120]);

    const withIcc = await base.clone().jpeg().withIccProfile('p3').toBuffer();
    expect(jpegMarkers(withIcc).icc).toBe(true);
    expect(await decodePlainJpeg(withIcc)).toBeNull();
    expect((await decodeImage(withIcc)).channels).toBe(3);

    const cmyk = await base.clone().toColourspace('cmyk').jpeg().toBuffer();
    expect(jpegMarkers(cmyk).frame?.components).toBe(4);
    expect(await decodePlainJpeg(cmyk)).toBeNull();
    expect((await decodeImage(cmyk)).channels).toBe(3);

    const upright1 = withOrientation(plain, 1);
    expect(jpegMarkers(upright1).orientation).toBe(1);
    expect(await decodePlainJpeg(upright1)).not.toBeNull();
  });

  it('refuses a truncated JPEG as corrupt and a huge one as too large, before decoding', async () => {
    const whole = await jpeg(224, 224, 3);
    for (const cut of [0.3, 0.7, 0.98]) {
      const part = whole.subarray(0, Math.floor(whole.length * cut));
      expect(await decodePlainJpeg(part)).toBeNull();
      await expect(decodeImage(part)).rejects.toMatchObject({ name: 'DecodeError', code: 'corrupt_image' });
    }
    const huge = Buffer.from(whole);
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(30000, sof + 5);
    huge.writeUInt16BE(30000, sof + 7);
    await expect(decodePlainJpeg(huge)).rejects.toMatchObject({ name: 'DecodeError', code: 'too_large' });
    await expect(decodeImage(huge)).rejects.toMatchObject({ code: 'too_large' });
  });
});

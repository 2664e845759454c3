import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INPUT_SIZE } from '../../models/core/contract.ts';
import { MIN_SIDE } from '../../models/core/limits.ts';
import { findCropBox, preprocess, PreprocessError, resizeToSquare, toGrey, type Pixels } from '../../models/core/preprocess.ts';

/** A black image with a bright rectangle (the "brain") at a known place. */
function withBlob(width: number, height: number, box: { x: number; y: number; w: number; h: number }, channels: 1 | 3 | 4 = 1, value = 200): Pixels {
  const data = new Uint8Array(width * height * channels);
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = c === 3 ? 255 : value;
    }
  }
  return { data, width, height, channels };
}

describe('preprocess', () => {
  it('crops to the bright region with a small margin', () => {
    const p = preprocess(withBlob(300, 200, { x: 100, y: 50, w: 80, h: 100 }));
    const margin = Math.round(100 * 0.04);
    expect(p.crop).toEqual({ x: 100 - margin, y: 50 - margin, width: 80 + 2 * margin, height: 100 + 2 * margin });
    expect(p.pixels.length).toBe(INPUT_SIZE * INPUT_SIZE);
    expect(p.tensor.length).toBe(INPUT_SIZE * INPUT_SIZE);
    // taller than wide: padded left and right with black, content centred
    expect(p.pixels[INPUT_SIZE * 48 + 0]).toBe(0);
    expect(p.pixels[INPUT_SIZE * 48 + 48]).toBe(200);
  });

  it('ignores a small bright label in a corner', () => {
    const px = withBlob(256, 256, { x: 60, y: 60, w: 120, h: 120 });
    for (let y = 2; y < 5; y++) for (let x = 2; x < 5; x++) px.data[y * 256 + x] = 255;
    const { crop } = preprocess(px);
    expect(crop.x).toBeGreaterThan(50);
    expect(crop.y).toBeGreaterThan(50);
  });

  it('falls back to the whole image for constant and black images; upscales a tiny crop exactly', () => {
    for (const v of [0, 128, 255]) {
      const p = preprocess({ data: new Uint8Array(96 * 72).fill(v), width: 96, height: 72, channels: 1 });
      expect(p.crop).toEqual({ x: 0, y: 0, width: 96, height: 72 });
    }
    expect(resizeToSquare(new Uint8Array([77]), 1, { x: 0, y: 0, width: 1, height: 1 }, INPUT_SIZE).every((v) => v === 77)).toBe(true);
  });

  it(`refuses an image whose shorter side is under ${MIN_SIDE} px (too_small), whatever its content or channels`, () => {
    for (const [w, h] of [[48, 48], [MIN_SIDE - 1, 400], [400, MIN_SIDE - 1], [1, 1]] as const) {
      for (const channels of [1, 4] as const) {
        const px = withBlob(w, h, { x: 0, y: 0, w: Math.min(w, 30), h: Math.min(h, 30) }, channels);
        expect(() => preprocess(px), `${w}×${h}×${channels}`).toThrowError(expect.objectContaining({ name: 'PreprocessError', code: 'too_small', message: expect.stringMatching(new RegExp(`${w}×${h}.*${MIN_SIDE} px`)) }));
      }
    }
    for (const [w, h] of [[MIN_SIDE, MIN_SIDE], [MIN_SIDE, 1000], [1000, MIN_SIDE]] as const) {
      expect(preprocess(withBlob(w, h, { x: 10, y: 10, w: 40, h: 40 })).pixels.length).toBe(INPUT_SIZE * INPUT_SIZE);
    }
  });

  it('composites RGBA alpha over black and measures colour', () => {
    const rgba = new Uint8Array([255, 255, 255, 0, 255, 255, 255, 255, 255, 0, 0, 255, 100, 100, 100, 128]);
    const { grey, colourfulness } = toGrey({ data: rgba, width: 4, height: 1, channels: 4 });
    expect(Array.from(grey)).toEqual([0, 255, 76, 50]);
    expect(colourfulness).toBeGreaterThan(0);
    expect(toGrey(withBlob(8, 8, { x: 0, y: 0, w: 8, h: 8 }, 3)).colourfulness).toBe(0);
  });

  it('gives the same tensor for grey, RGB and opaque RGBA of one picture', () => {
    const box = { x: 30, y: 40, w: 90, h: 70 };
    const a = preprocess(withBlob(160, 160, box, 1)), b = preprocess(withBlob(160, 160, box, 3)), c = preprocess(withBlob(160, 160, box, 4));
    expect(b.pixels).toEqual(a.pixels);
    expect(c.pixels).toEqual(a.pixels);
  });

  it('handles very large images', () => {
    const p = preprocess(withBlob(4000, 3000, { x: 1000, y: 500, w: 2000, h: 2000 }));
    expect(p.crop.width).toBeGreaterThan(2000);
    expect(p.pixels[INPUT_SIZE * 48 + 48]).toBe(200);
  });

  it('area resize preserves the mean of a uniform region', () => {
    const grey = new Uint8Array(200 * 200).fill(90);
    const out = resizeToSquare(grey, 200, { x: 0, y: 0, width: 200, height: 200 }, 96);
    expect(out.every((v) => v === 90)).toBe(true);
    expect(findCropBox(grey, 200, 200)).toEqual({ x: 0, y: 0, width: 200, height: 200 });
  });

  it('rejects bad dimensions, buffers and oversized images with typed errors', () => {
    const bad: Array<[Pixels, string]> = [
      [{ data: new Uint8Array(0), width: 0, height: 5, channels: 1 }, 'bad_dimensions'],
      [{ data: new Uint8Array(6), width: 2.5, height: 2, channels: 1 }, 'bad_dimensions'],
      [{ data: new Uint8Array(5), width: 64, height: 64, channels: 1 }, 'bad_buffer'],
      [{ data: new Uint8Array(1), width: 9000, height: 1, channels: 1 }, 'too_large'],
    ];
    for (const [px, code] of bad) {
      expect(() => preprocess(px)).toThrowError(PreprocessError);
      try { preprocess(px); } catch (e) { expect((e as PreprocessError).code).toBe(code); }
    }
  });

  it('any size and content gives a finite tensor of the right shape, or too_small exactly when the shorter side is under the floor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 140 }), fc.integer({ min: 0, max: 140 }), fc.constantFrom(1, 2, 3, 4), fc.integer(), (w, h, ch, seed) => {
        let s = seed;
        const data = new Uint8Array(w * h * ch).map(() => ((s = (s * 1103515245 + 12345) | 0) >>> 16) & 255);
        try {
          const p = preprocess({ data, width: w, height: h, channels: ch as Pixels['channels'] });
          return Math.min(w, h) >= MIN_SIDE && p.tensor.length === INPUT_SIZE * INPUT_SIZE && p.tensor.every((v) => Number.isFinite(v) && v >= 0 && v <= 1);
        } catch (e) {
          if (!(e instanceof PreprocessError)) return false;
          return w < 1 || h < 1 ? e.code === 'bad_dimensions' : e.code === 'too_small' && Math.min(w, h) < MIN_SIDE;
        }
      }),
      { numRuns: 150 },
    );
  });
});

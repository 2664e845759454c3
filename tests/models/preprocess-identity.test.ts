// The faster preprocessing (models/core/preprocess.ts) against pp-1 as first written (tests/support/preprocess-reference.ts):
// the same crop box, grey pixels, tensor and colourfulness, bit for bit, on every MRI in ../shared (as grey, RGB and
// the RGBA a browser canvas gives) and on random images of every channel count.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preprocess, type Pixels } from '../../models/core/preprocess.ts';
import { decodeImage } from '../../models/node/decode.ts';
import * as reference from '../support/preprocess-reference.ts';
import { available, DATA_DIR, hasData } from '../support/skip.ts';
import { compileWat, GENERATED, generatedSource } from '../../models/scripts/build-wasm.ts';

const hasWat2wasm = spawnSync('wat2wasm', ['--version'], { stdio: 'ignore' }).status === 0;

function expectIdentical(px: Pixels, name: string) {
  const a = preprocess(px), b = reference.preprocess(px);
  expect(a.crop, name).toEqual(b.crop);
  expect(a.colourfulness, name).toBe(b.colourfulness);
  expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(b.pixels)), name).toBe(0);
  expect(Buffer.compare(Buffer.from(a.tensor.buffer), Buffer.from(b.tensor.buffer)), name).toBe(0);
}

const rgba = (px: Pixels): Pixels => {
  const out = new Uint8Array(px.width * px.height * 4);
  for (let i = 0; i < px.width * px.height; i++) {
    for (let c = 0; c < 3; c++) out[4 * i + c] = px.data[i * px.channels + (px.channels === 1 ? 0 : c)]!;
    out[4 * i + 3] = 255;
  }
  return { ...px, data: out, channels: 4 };
};

describe('preprocessing is bit-identical to pp-1', () => {
  it.runIf(available(hasWat2wasm, "wabt's wat2wasm (Debian: wabt)"))('runs the WebAssembly compiled from preprocess.wat, byte for byte', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedSource(compileWat()));
  });

  it('the integer luma equals the rounded float luma for every weighted sum 299r + 587g + 114b', () => {
    for (let k = 0; k <= 255_000; k++) {
      const float = Math.round(((k / 1000) * 255) / 255);
      if ((((k + 500) / 1000) | 0) !== float) throw new Error(`k = ${k}: ${float}`);
    }
  });

  it.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('on every MRI in ../shared, as decoded and as a canvas’s RGBA', async () => {
    let n = 0;
    for (const folder of ['brain-mri/Training/glioma', 'brain-mri/Training/meningioma', 'brain-mri/Training/notumor', 'brain-mri/Training/pituitary', 'brain-mri-binary/tumor']) {
      for (const f of readdirSync(`${DATA_DIR}${folder}`)) {
        const px = await decodeImage(readFileSync(`${DATA_DIR}${folder}/${f}`));
        expectIdentical(px, `${folder}/${f}`);
        if (n % 4 === 0) expectIdentical(rgba(px), `${folder}/${f} as RGBA`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(6900);
  }, 300_000);

  it.each([[64, 300, 300], [300, 900, 40]])('on random images %i–%i px: 1–4 channels, translucent pixels, specks and blobs (both resize kernels)', (min, max, numRuns) => {
    fc.assert(fc.property(
      fc.integer({ min, max }), fc.integer({ min, max }), fc.constantFrom(1, 2, 3, 4), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (width, height, channels, seed) => {
        const data = new Uint8Array(width * height * channels);
        let s = seed;
        const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) & 255;
        const bx = rand() % (width / 2), by = rand() % (height / 2);
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
          const inBlob = x > bx && x < bx + width / 2 && y > by && y < by + height / 3;
          for (let c = 0; c < channels; c++) {
            const alpha = channels === 4 && c === 3;
            data[(y * width + x) * channels + c] = alpha ? (rand() < 200 ? 255 : rand()) : inBlob ? 120 + (rand() % 120) : rand() < 8 ? rand() : rand() % 20;
          }
        }
        expectIdentical({ data, width, height, channels: channels as Pixels['channels'] }, `${width}×${height}×${channels} #${seed}`);
      },
    ), { numRuns });
  });
});

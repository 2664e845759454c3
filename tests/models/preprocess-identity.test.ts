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
import { kernels, layout, useKernelBuild, type KernelBuild } from '../../models/core/wasm/kernels.ts';
import { compileWat, GENERATED, generatedSource, SIMD_WAT } from '../../models/scripts/build-wasm.ts';

const hasWat2wasm = spawnSync('wat2wasm', ['--version'], { stdio: 'ignore' }).status === 0;

const BUILDS: KernelBuild[] = ['simd', 'scalar'];

/** Each WebAssembly build (SIMD, and the scalar one for runtimes without SIMD) against pp-1 as first written. */
function expectIdentical(px: Pixels, name: string) {
  const b = reference.preprocess(px);
  try {
    for (const build of BUILDS) {
      useKernelBuild(build);
      const a = preprocess(px), at = `${name} (${build})`;
      expect(a.crop, at).toEqual(b.crop);
      expect(a.colourfulness, at).toBe(b.colourfulness);
      expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(b.pixels)), at).toBe(0);
      expect(Buffer.compare(Buffer.from(a.tensor.buffer), Buffer.from(b.tensor.buffer)), at).toBe(0);
    }
  } finally {
    useKernelBuild(undefined);
  }
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
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedSource(compileWat(), compileWat(SIMD_WAT)));
  });

  it('the integer luma equals the rounded float luma for every weighted sum 299r + 587g + 114b', () => {
    for (let k = 0; k <= 255_000; k++) {
      const float = Math.round(((k / 1000) * 255) / 255);
      if ((((k + 500) / 1000) | 0) !== float) throw new Error(`k = ${k}: ${float}`);
    }
  });

  it('Node runs the SIMD build', () => {
    expect(kernels().build).toBe('simd');
  });

  it('the SIMD grey kernel gives the scalar bytes and colour sum for every RGB triple, as RGB and as opaque RGBA', () => {
    const n = 1 << 24;
    for (const step of [3, 4]) {
      const src = new Uint8Array(n * step);
      for (let i = 0; i < n; i++) {
        src[i * step] = i >> 16; src[i * step + 1] = (i >> 8) & 255; src[i * step + 2] = i & 255;
        if (step === 4) src[i * step + 3] = 255;
      }
      const run = (build: KernelBuild) => {
        useKernelBuild(build);
        const { at: [dst, from], heap } = layout([n, n * step]);
        new Uint8Array(heap, from, n * step).set(src);
        const sum = kernels().grey(from!, n, step, dst!);
        return { sum, grey: new Uint8Array(kernels().memory.buffer, dst, n).slice() };
      };
      const simd = run('simd'), scalar = run('scalar');
      useKernelBuild(undefined);
      expect(simd.sum).toBe(scalar.sum);
      expect(Buffer.compare(Buffer.from(simd.grey), Buffer.from(scalar.grey))).toBe(0);
    }
  });

  it('the SIMD tensor kernel gives pp-1’s float for every grey level, in its 16-wide loop and in its tail', () => {
    const { tensor } = kernels();
    const n = 256 + 15;
    const { at: [src, dst], heap } = layout([n, n * 4]);
    const levels = new Uint8Array(heap, src, n);
    for (let i = 0; i < n; i++) levels[i] = i < 256 ? i : 255 - (i - 256) * 17;
    tensor!(src!, n, dst!);
    const expected = Float32Array.from(levels, (v) => v / 255);
    expect(Buffer.compare(Buffer.from(new Float32Array(heap, dst, n).slice().buffer), Buffer.from(expected.buffer))).toBe(0);
  });

  it('an RGBA image opaque but for one pixel takes the float path wherever that pixel is (16-wide blocks and tails)', () => {
    const width = 67, height = 65, n = width * height; // n mod 16 = 11, n mod 4 = 3
    for (const at of [0, 1000, n - 12, n - 5, n - 2, n - 1]) {
      const data = new Uint8Array(n * 4);
      let s = at + 1;
      for (let i = 0; i < n * 4; i++) data[i] = (i & 3) === 3 ? 255 : ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
      data[at * 4 + 3] = 77;
      expectIdentical({ data, width, height, channels: 4 }, `translucent pixel ${at} of ${n}`);
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

  it.each([[64, 300, 300], [300, 900, 40]])('on random images %i–%i px: 1–4 channels, opaque or translucent pixels, specks and blobs (both resize kernels)', (min, max, numRuns) => {
    fc.assert(fc.property(
      fc.integer({ min, max }), fc.integer({ min, max }), fc.constantFrom(1, 2, 3, 4), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      (width, height, channels, opaque, seed) => {
        const data = new Uint8Array(width * height * channels);
        let s = seed;
        const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) & 255;
        const bx = rand() % (width / 2), by = rand() % (height / 2);
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
          const inBlob = x > bx && x < bx + width / 2 && y > by && y < by + height / 3;
          for (let c = 0; c < channels; c++) {
            const alpha = channels === 4 && c === 3;
            data[(y * width + x) * channels + c] = alpha ? (opaque || rand() < 200 ? 255 : rand()) : inBlob ? 120 + (rand() % 120) : rand() < 8 ? rand() : rand() % 20;
          }
        }
        expectIdentical({ data, width, height, channels: channels as Pixels['channels'] }, `${width}×${height}×${channels}${opaque ? ' opaque' : ''} #${seed}`);
      },
    ), { numRuns });
  });
});

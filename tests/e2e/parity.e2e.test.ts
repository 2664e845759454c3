// The browser and the server get the same pixels from the same file: Chromium decodes with
// createImageBitmap + OffscreenCanvas (web/lib/decode.ts), Node with sharp (models/node/decode.ts);
// both then run the one preprocess(). PNG must match exactly; JPEG differences are reported.
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../models/node/decode.ts';
import { preprocess } from '../../models/core/preprocess.ts';
import { HAS_BROWSER, REPO, launch, realMri, syntheticMri, syntheticPhoto } from './harness.ts';
import { available } from '../support/skip.ts';

const OUT = `${REPO}tests/e2e/output/`;

// Written as source text so the test runner does not rewrite its dynamic imports.
const BROWSER_SIDE = `async ({ b64, type, repo }) => {
  const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const { decodeBlob } = await import('/lib/decode.ts');
  const { preprocess } = await import('/@fs' + repo + 'models/core/preprocess.ts');
  const px = await decodeBlob(new Blob([bin], { type }));
  const pre = preprocess(px);
  return { width: px.width, height: px.height, pixels: Array.from(pre.pixels), crop: pre.crop, colourfulness: pre.colourfulness };
}`;

interface Side {
  width: number;
  height: number;
  pixels: number[];
  crop: { x: number; y: number; width: number; height: number };
  colourfulness: number;
}

async function browserPreprocess(page: Page, bytes: Buffer, type: string): Promise<Side> {
  const args = JSON.stringify({ b64: bytes.toString('base64'), type, repo: REPO });
  return page.evaluate(`(${BROWSER_SIDE})(${args})`) as Promise<Side>;
}

async function serverPreprocess(bytes: Buffer) {
  const px = await decodeImage(new Uint8Array(bytes));
  const pre = preprocess(px);
  return { width: px.width, height: px.height, pixels: Array.from(pre.pixels), crop: pre.crop, colourfulness: pre.colourfulness };
}

function diff(a: number[], b: number[]) {
  let max = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d) n++;
    max = Math.max(max, d);
  }
  return { maxAbs: max, differing: n, of: a.length };
}

describe.runIf(HAS_BROWSER)('browser and server preprocessing agree', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    server = await createServer({ configFile: `${REPO}vite.config.ts`, server: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    await server.listen();
    const { port } = server.httpServer!.address() as AddressInfo;
    browser = await launch();
    page = await browser.newPage();
    await page.goto(`http://localhost:${port}/?backend=wasm`);
  }, 120_000);
  afterAll(async () => {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(`${OUT}parity.json`, JSON.stringify(report, null, 2));
    await browser?.close();
    await server?.close();
  });

  it('PNG (grey, RGB, RGBA, EXIF-free): identical pixels, crop and colourfulness', async () => {
    const rgba = await sharp(await syntheticMri(180)).ensureAlpha(0.8).png().toBuffer();
    for (const [name, bytes] of [['grey', await syntheticMri(256)], ['rgb', await syntheticPhoto(150)], ['rgba', rgba]] as const) {
      const [b, s] = await Promise.all([browserPreprocess(page, bytes, 'image/png'), serverPreprocess(bytes)]);
      report[`png-${name}`] = diff(b.pixels, s.pixels);
      expect(b.width).toBe(s.width);
      expect(b.crop).toEqual(s.crop);
      expect(b.pixels).toEqual(s.pixels);
      expect(b.colourfulness).toBeCloseTo(s.colourfulness, 6);
    }
  });

  it('JPEG with an EXIF orientation: same geometry, decoder differences reported', async () => {
    const base = await syntheticMri(240, 'jpeg');
    const rotated = await sharp(await syntheticMri(240)).resize(240, 160, { fit: 'fill' }).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
    const cases: Array<[string, Buffer]> = [['jpeg', base], ['jpeg-exif-6', rotated]];
    const real = realMri();
    if (available(real !== null, 'the MRI data folder (real-MRI JPEG parity)')) cases.push(['jpeg-real-mri', readFileSync(real!)]);
    for (const [name, bytes] of cases) {
      const [b, s] = await Promise.all([browserPreprocess(page, bytes, 'image/jpeg'), serverPreprocess(bytes)]);
      const d = diff(b.pixels, s.pixels);
      report[name] = { ...d, browserSize: [b.width, b.height], serverSize: [s.width, s.height] };
      console.log(`[parity] ${name}:`, report[name]);
      expect([b.width, b.height]).toEqual([s.width, s.height]);
      // libjpeg-turbo (sharp) and Chromium's decoder may round IDCT/upsampling differently.
      expect(d.maxAbs).toBeLessThanOrEqual(8);
    }
  });
});

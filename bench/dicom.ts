// `npm run bench:dicom`: per DICOM slice, decode + modality/VOI + preprocess + inference, in Node (the server's
// pipeline, one thread) and in Chromium (the PWA's worker, WASM, through the ?debug=1 hook), for 256² and 512²
// 12-bit slices in each transfer syntax. The slices are written at run time (tests/support/dicom-fixtures.ts)
// from a real MRI upscaled, or from generated pixels when ../shared/data is absent; never kept.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { preprocess } from '../models/core/preprocess.ts';
import { openDicom, renderFrame } from '../models/core/dicom/index.ts';
import { createClassifier } from '../models/node/classifier.ts';
import { nodeWasm } from '../models/node/dicom-wasm.ts';
import { HAS_CHROMIUM, ensureBuilt, launch, newTabletContext, serveDist } from '../tests/e2e/harness.ts';
import { SYNTAXES, fixtureDir, hasDicomTools, sampleJpegs, transcodeAll, variantFile } from '../tests/support/dicom-fixtures.ts';
import { hasData } from '../tests/support/skip.ts';
import { log, QUICK, REPO, round, stats } from './lib.ts';

const RUNS = QUICK ? 10 : 40;
const SIZES = [256, 512];
const syntaxes = SYNTAXES.filter((s) => !s.variants || s.variants.includes('12bit')).filter((s) => s.name !== 'j2k-lossless-fragments');

async function greyOf(size: number): Promise<Uint8Array> {
  if (hasData) {
    const [path] = sampleJpegs(1);
    const { data } = await sharp(readFileSync(path!)).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    return new Uint8Array(data);
  }
  return Uint8Array.from({ length: size * size }, (_, i) => {
    const x = (i % size) / size - 0.5, y = Math.floor(i / size) / size - 0.5;
    return x * x + y * y < 0.16 ? 90 + Math.round(60 * Math.sin(i / 7)) : 0;
  });
}

type Row = { syntax: string; size: number; bytes: number; node: number | null; nodeDecode: number | null; chromium: number | null; error?: string };

async function chromiumTimes(files: Array<{ key: string; bytes: Uint8Array }>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!HAS_CHROMIUM) return out;
  await ensureBuilt();
  const served = await serveDist();
  const browser = await launch();
  try {
    const page: Page = await (await newTabletContext(browser)).newPage();
    await page.goto(`${served.url}/?backend=wasm&threads=1&debug=1`);
    await page.waitForFunction(() => !!(window as unknown as { __bigbrain?: unknown }).__bigbrain, undefined, { timeout: 120_000 });
    for (const f of files) {
      const b64 = Buffer.from(f.bytes).toString('base64');
      const times = await page.evaluate(async ([data, runs]) => {
        const hook = (window as unknown as { __bigbrain: { analyse(b: Blob): Promise<{ totalMs?: number } | Array<{ totalMs?: number }>> } }).__bigbrain;
        const bin = Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
        const res: number[] = [];
        for (let k = 0; k < (runs as number) + 3; k++) {
          const t = performance.now();
          const a = await hook.analyse(new Blob([bin], { type: 'application/dicom' }));
          const one = Array.isArray(a) ? a[0] : a;
          if (k >= 3) res.push(one?.totalMs ?? performance.now() - t);
        }
        return res;
      }, [b64, RUNS] as const).catch(() => null);
      if (times) out.set(f.key, stats(times).median);
    }
  } finally {
    await browser.close();
    await served.close();
  }
  return out;
}

export async function benchDicom(): Promise<Row[]> {
  if (!hasDicomTools) throw new Error('dcmtk and gdcm are needed (apt-get install dcmtk libgdcm-tools)');
  const model = await createClassifier();
  const { dir, remove } = fixtureDir();
  const rows: Row[] = [];
  const files: Array<{ key: string; bytes: Uint8Array }> = [];
  try {
    for (const size of SIZES) {
      const { bytes } = variantFile('12bit', { data: await greyOf(size), width: size, height: size });
      const paths = await transcodeAll(dir, `s${size}`, bytes, syntaxes);
      for (const s of syntaxes) {
        const file = new Uint8Array(readFileSync(paths.get(s.name)!));
        const row: Row = { syntax: s.name, size, bytes: file.length, node: null, nodeDecode: null, chromium: null };
        try {
          const total: number[] = [], decode: number[] = [];
          for (let k = 0; k < RUNS + 3; k++) {
            const t0 = performance.now();
            const dicom = openDicom(file);
            const frame = await renderFrame(dicom, 1, nodeWasm);
            const t1 = performance.now();
            await model.analyse([preprocess(frame.pixels)]);
            if (k >= 3) { total.push(performance.now() - t0); decode.push(t1 - t0); }
          }
          row.node = stats(total).median;
          row.nodeDecode = stats(decode).median;
          files.push({ key: `${s.name}/${size}`, bytes: file });
        } catch (e) {
          row.error = (e as Error).message;
        }
        rows.push(row);
        log(`DICOM ${s.name} ${size}²: Node ${round(row.node ?? NaN)} ms${row.error ? ` (${row.error})` : ''}`);
      }
    }
    log('Chromium: the PWA worker on the same files');
    const chromium = await chromiumTimes(files);
    for (const r of rows) r.chromium = chromium.get(`${r.syntax}/${r.size}`) ?? null;
  } finally {
    remove();
    await model.release();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchDicom();
  const md = [
    `# DICOM per slice (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, median of ${RUNS})`,
    '',
    'Decode + modality/VOI + preprocess + inference, one slice, 12-bit stored values. Node: the server pipeline on one thread (decode alone in brackets). Chromium: the PWA worker, WASM, 1 thread (`totalMs`, measured in the worker).',
    '',
    '| syntax | size | file bytes | Node ms (decode) | Chromium ms |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.syntax} | ${r.size}² | ${r.bytes} | ${r.error ? `error: ${r.error}` : `${round(r.node!)} (${round(r.nodeDecode!)})`} | ${r.chromium === null ? '—' : round(r.chromium)} |`),
  ].join('\n');
  mkdirSync(`${REPO}bench/results`, { recursive: true });
  writeFileSync(`${REPO}bench/results/dicom.md`, `${md}\n`);
  writeFileSync(`${REPO}bench/results/dicom.json`, JSON.stringify(rows, null, 2));
  console.log(md);
  process.exit(0);
}

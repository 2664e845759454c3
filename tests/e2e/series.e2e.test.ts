// Series reading end to end in Chromium against the built app (vite preview, production headers, WASM): a folder of
// 20 slices written at test time from ../shared JPEGs (3 tumour slices in the middle of 17 no-tumour ones, files
// under meaningless names in a shuffled order, plus a text file), set into the directory picker → the study list →
// Analyse → the verdict and its key slice → the viewer (arrow keys, slider, wheel, a drag that changes the window,
// zoom, a two-finger pinch). The longest main-thread task during the analysis is measured (PerformanceObserver
// 'longtask') and must stay under 100 ms. Nothing made from ../shared is kept: the folder is removed afterwards.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERIES_RULE } from '../../models/core/model.ts';
import { createClassifier } from '../../models/node/classifier.ts';
import { FAKE_PATIENT, fixtureDir } from '../support/dicom-fixtures.ts';
import { imageFile } from '../../models/scripts/dicom-write.ts';
import { cdName, clearPicks, greyOf, seeded, seriesFiles, shuffled, type WrittenSlice } from '../support/series-fixtures.ts';
import { available, hasData } from '../support/skip.ts';
import { HAS_BROWSER, REPO, ensureBuilt, serveDist, tabletProfile, type Served } from './harness.ts';

const OUT = `${REPO}tests/e2e/output/`;
const N = 20;
/** Tumour slices in the middle of the series (the outer 20 % is outside the validated use, edge of the head). */
const TUMOUR_AT = [8, 10, 12];
/** A patient CD's DICOMDIR, written by dcmtk's dcmmkdir when it is there (it is read as a file without an image). */
const HAS_DCMMKDIR = spawnSync('sh', ['-c', 'command -v dcmmkdir'], { stdio: 'ignore' }).status === 0;

// Long tasks from now on (the buffer also holds the page's start-up ones, which are not the analysis's).
const LONGTASKS = `(() => {
  const since = performance.now();
  window.__longtasks = [];
  window.__longtaskObserver?.disconnect();
  window.__longtaskObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.startTime >= since) window.__longtasks.push({ start: e.startTime, duration: e.duration });
  });
  window.__longtaskObserver.observe({ type: 'longtask', buffered: true });
})()`;

describe.runIf(HAS_BROWSER && available(hasData, 'the MRI data folder (../shared/data)'))('series reading in the PWA (Chromium, vite preview)', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  let folder: { dir: string; remove: () => void };
  let slices: WrittenSlice[];
  let greys: Array<{ grey: Awaited<ReturnType<typeof greyOf>>; tumour: boolean }> = [];
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const picks = await clearPicks(await createClassifier(), N - TUMOUR_AT.length, TUMOUR_AT.length);
    greys = [];
    let t = 0, k = 0;
    for (let i = 0; i < N; i++) {
      const tumour = TUMOUR_AT.includes(i);
      greys.push({ grey: await greyOf(tumour ? picks.tumour[t++]! : picks.noTumour[k++]!), tumour });
    }
    slices = seriesFiles({ studyUid: '2.25.7000001', seriesUid: '2.25.7000002', description: 'T1 AX E2E', seriesNumber: 4, slices: greys, reverseInstances: true });
    folder = fixtureDir();
    const rand = seeded(13);
    const cd = join(folder.dir, 'CD', 'DICOM');
    mkdirSync(cd, { recursive: true });
    for (const s of shuffled(slices, rand)) writeFileSync(join(cd, cdName(rand)), s.bytes);
    writeFileSync(join(folder.dir, 'CD', 'README.TXT'), 'Patient CD: open the DICOM folder with a viewer.\n');
    if (HAS_DCMMKDIR) {
      const made = spawnSync('dcmmkdir', ['+I', '+r', '+id', join(folder.dir, 'CD'), '+D', join(folder.dir, 'CD', 'DICOMDIR'), 'DICOM'], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`dcmmkdir: ${made.stderr}`);
    }
    await ensureBuilt();
    served = await serveDist();
    context = await tabletProfile([], true);
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${served.url}/?backend=wasm`);
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
  }, 300_000);

  afterAll(async () => {
    writeFileSync(`${OUT}series.json`, JSON.stringify(report, null, 2));
    await context?.close();
    await served?.close();
    folder?.remove();
  });

  it('a patient CD folder in the directory picker → the study list from the headers, the text file and the DICOMDIR skipped and counted', async () => {
    const t0 = Date.now();
    await page.getByLabel('Folder of DICOM files').setInputFiles(join(folder.dir, 'CD'));
    const list = page.getByRole('region', { name: 'Studies' });
    await list.waitFor({ timeout: 60_000 });
    report.listMs = Date.now() - t0;
    expect(await list.getByRole('status').textContent()).toBe(HAS_DCMMKDIR
      ? '1 study, 1 series, 20 slices. Skipped 2 files: 1 not DICOM, 1 DICOM without an image (DICOMDIR, report).'
      : '1 study, 1 series, 20 slices. Skipped 1 file: 1 not DICOM.');
    const row = list.locator('tr[data-series="T1 AX E2E"]');
    expect(await row.locator('td').allTextContents()).toEqual(['MR', '20', 'axial', 'Analyse']);
    expect(await list.textContent()).toContain('DOE JANE'); // the fake patient, on this device only
  }, 90_000);

  it('analyses the series in the worker: progress, Tumor with a tumour key slice, no main-thread task ≥ 100 ms', async () => {
    await page.evaluate(LONGTASKS);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Analyse series T1 AX E2E' }).click();
    const progress = page.getByTestId('series-progress');
    await expect.poll(() => progress.textContent(), { timeout: 120_000 }).toMatch(/^20 of 20 slices · [\d.]+ slices\/s · [\d.]+ s$/);
    const wall = Date.now() - t0;
    const text = (await progress.textContent())!;
    const longtasks = (await page.evaluate('window.__longtasks')) as Array<{ start: number; duration: number }>;
    const longest = Math.max(0, ...longtasks.map((l) => l.duration));
    Object.assign(report, { analysis: text, analysisWallMs: wall, slicesPerSecond: Number(/([\d.]+) slices\/s/.exec(text)![1]), longtasks: longtasks.length, longestTaskMs: longest });
    console.log(`series: ${text}; ${longtasks.length} long tasks, longest ${longest.toFixed(0)} ms`);
    expect(longest).toBeLessThan(100);
    const verdict = page.getByRole('article', { name: 'Series verdict' });
    expect(await verdict.getByTestId('series-result').textContent()).toBe('Tumor');
    const p = Number((await verdict.getByTestId('series-probability').textContent())!.replace(' %', '')) / 100;
    expect(p).toBeGreaterThanOrEqual(SERIES_RULE.threshold - 0.001);
    // the outer slices are outside the validated use (edge of the head) and do not count
    expect(await verdict.textContent()).toMatch(/1[0-9] of 20 slices counted\. Not counted: edge of the head \(\d\)/);
    const keys = await verdict.locator('.key-slices li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-slice'))));
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(TUMOUR_AT).toContain(keys[0]); // the most suspicious is a tumour slice
    expect(keys.slice(0, 3).sort()).toEqual([...TUMOUR_AT].sort());
    report.keySlices = keys;
    expect(await page.locator('.series-chart circle').count()).toBeGreaterThan(10);
  }, 150_000);

  it('browser and CLI agree: npm run classify -- --series on the same CD folder gives the same verdict, score and key slices', async () => {
    const cli = spawnSync('npx', ['tsx', 'models/scripts/classify.ts', '--series', join(folder.dir, 'CD')], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const lines = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { result: string; tumorProbability: number; counted: number; outside: Record<string, number>; keySlices: Array<{ instance: number }> });
    expect(lines).toHaveLength(1);
    const [line] = lines;
    const verdict = page.getByRole('article', { name: 'Series verdict' });
    expect(await verdict.getByTestId('series-result').textContent()).toBe(line!.result);
    const p = Number(await verdict.getByTestId('series-probability').getAttribute('data-value'));
    expect(Math.abs(p - line!.tumorProbability)).toBeLessThan(2e-3); // WASM in Chromium vs onnxruntime-node
    expect(await verdict.textContent()).toContain(`${line!.counted} of 20 slices counted. Not counted: ${Object.entries(line!.outside).map(([k, v]) => `${k} (${v})`).join(', ')}.`);
    // key slices by Instance Number (written against the geometry: instance = 20 − place along the normal)
    const keys = await verdict.locator('.key-slices li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-slice'))));
    expect(keys.map((i) => N - i).sort()).toEqual(line!.keySlices.map((k) => k.instance).sort());
    report.cli = { result: line!.result, tumorProbability: line!.tumorProbability, browser: p };
  }, 150_000);

  it('the viewer: keys, slider, wheel change the slice; a drag changes the window; zoom by button and by pinch', async () => {
    const viewer = page.getByRole('group', { name: 'Slice viewer' });
    const canvas = viewer.locator('canvas.viewer-canvas');
    const at = async () => Number(await canvas.getAttribute('data-slice'));
    const first = await at();
    expect(TUMOUR_AT).toContain(first); // opens on the most suspicious slice
    expect(await viewer.getByTestId('slice-answer').textContent()).toMatch(/^Tumor · P\(tumour\) /);
    await viewer.focus();
    await page.keyboard.press('ArrowDown');
    expect(await at()).toBe(first + 1);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await at()).toBe(first - 1);
    await viewer.getByRole('slider', { name: 'Slice' }).fill('1');
    expect(await at()).toBe(0);
    expect(await viewer.getByTestId('slice-answer').textContent()).toMatch(/Outside validated use: edge of the head/);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 120);
    await expect.poll(at).toBe(1);
    await viewer.getByRole('slider', { name: 'Slice' }).fill(String(first + 1));
    // drag: right widens the window, down raises the level
    const before = await canvas.getAttribute('data-window');
    const pixelsBefore = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 60, { steps: 6 });
    await page.mouse.up();
    const after = await canvas.getAttribute('data-window');
    expect(after).not.toBe(before);
    const [c0, w0] = before!.split('/').map(Number), [c1, w1] = after!.split('/').map(Number);
    expect(w1!).toBeGreaterThan(w0!);
    expect(c1!).toBeGreaterThan(c0!);
    expect(await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(pixelsBefore);
    await viewer.getByRole('button', { name: 'Zoom in' }).click();
    expect(Number(await canvas.getAttribute('data-zoom'))).toBeCloseTo(1.25, 2);
    await viewer.getByRole('button', { name: 'Reset' }).click();
    expect(await canvas.getAttribute('data-window')).toBe(before);
    // a two-finger pinch (touch points through CDP): fingers apart → zoom in
    const cdp = await context.newCDPSession(page);
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', d: number) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: cx - d, y: cy, id: 1 }, { x: cx + d, y: cy, id: 2 }] });
    await touch('touchStart', 40);
    for (const d of [60, 80, 100, 120]) await touch('touchMove', d);
    await touch('touchEnd', 0);
    const pinched = Number(await canvas.getAttribute('data-zoom'));
    report.pinchZoom = pinched;
    expect(pinched).toBeGreaterThan(2);
    await viewer.getByRole('button', { name: 'Reset' }).click();
    // one finger: with the Scroll tool a swipe down moves through the slices; with the Window tool it windows
    const finger = async (dy: number, dx = 0) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: cx, y: cy, id: 3 }] });
      for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: cx + (dx * k) / 5, y: cy + (dy * k) / 5, id: 3 }] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    await viewer.getByRole('radio', { name: 'Scroll' }).check();
    const from = await at();
    await finger(-100); // up: earlier slices (24 px a slice)
    expect(await at()).toBe(from - 4);
    await viewer.getByRole('radio', { name: 'Window' }).check();
    const touchWindow = await canvas.getAttribute('data-window');
    await finger(40, 80);
    expect(await canvas.getAttribute('data-window')).not.toBe(touchWindow);
    await viewer.getByRole('button', { name: 'Reset' }).click();
    expect(await viewer.textContent()).toContain('The display window changes only what you see here');
    await viewer.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${OUT}series.png`, fullPage: true });
  }, 90_000);

  it('a 12-bit series: the viewer windows the stored values (file window as read, full range 0–4080 by the preset)', async () => {
    const files = greys.slice(0, 3).map((g, i) => ({
      name: `B${i}`,
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(imageFile({
        rows: g.grey.height, columns: g.grey.width, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
        pixels: Uint16Array.from(g.grey.data, (v) => 16 * v), window: { center: 2040.5, width: 4081 },
        identity: { ...FAKE_PATIENT, studyUid: '2.25.7000021', seriesUid: '2.25.7000022', sopInstanceUid: `2.25.70000230${i}`, seriesDescription: 'T1 AX 12BIT' },
        geometry: { seriesNumber: 9, instanceNumber: i + 1, imagePosition: [-115, -115, 5 * i], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.9, 0.9] },
        timing: { repetitionTime: 500, echoTime: 10 },
      })),
    }));
    await page.getByLabel('DICOM files of a series').setInputFiles(files);
    await page.getByRole('button', { name: 'Analyse series T1 AX 12BIT' }).click();
    await expect.poll(() => page.getByTestId('series-progress').textContent(), { timeout: 60_000 }).toMatch(/^3 of 3 slices .* s$/);
    const canvas = page.getByRole('group', { name: 'Slice viewer' }).locator('canvas.viewer-canvas');
    expect(await canvas.getAttribute('data-window')).toBe('2041/4081'); // the file's window, in stored units
    const g = greys[Number(await canvas.getAttribute('data-slice'))]!.grey.data;
    await page.getByRole('button', { name: 'Full range' }).click();
    expect(await canvas.getAttribute('data-window')).toBe(`${Math.round((16 * Math.min(...g) + 16 * Math.max(...g)) / 2)}/${16 * (Math.max(...g) - Math.min(...g))}`);
  }, 90_000);

  it('many files dropped at once (no folder entries): the same list; a 200-slice series keeps every main-thread task under 100 ms', async () => {
    // 200 slices: the 20 pictures in turn, the 3 tumour ones again in the middle (files in shuffled order)
    const tumours = greys.filter((g) => g.tumour), clear = greys.filter((g) => !g.tumour);
    const many = seriesFiles({
      studyUid: '2.25.7000011', seriesUid: '2.25.7000012', description: 'T2 AX 200', seriesNumber: 7,
      slices: Array.from({ length: 200 }, (_, i) => (i >= 95 && i < 98 ? tumours[i - 95]! : clear[i % clear.length]!)),
    });
    const rand = seeded(99);
    const files = shuffled(many, rand).map((s) => ({ name: cdName(rand), b64: Buffer.from(s.bytes).toString('base64') }));
    const dt = await page.evaluateHandle((list) => {
      const t = new DataTransfer();
      for (const f of list) t.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
      t.items.add(new File(['not an image'], 'notes.txt', { type: 'text/plain' }));
      return t;
    }, files);
    const t0 = Date.now();
    await page.dispatchEvent('[data-testid="series-drop"]', 'drop', { dataTransfer: dt });
    const list = page.getByRole('region', { name: 'Studies' });
    await expect.poll(() => list.getByRole('status').textContent(), { timeout: 60_000 }).toBe('1 study, 1 series, 200 slices. Skipped 1 file: 1 not DICOM.');
    report.list200Ms = Date.now() - t0;
    await page.evaluate(LONGTASKS);
    const t1 = Date.now();
    await page.getByRole('button', { name: 'Analyse series T2 AX 200' }).click();
    const progress = page.getByTestId('series-progress');
    await expect.poll(() => progress.textContent(), { timeout: 240_000, interval: 250 }).toMatch(/^200 of 200 slices · [\d.]+ slices\/s · [\d.]+ s$/);
    const text = (await progress.textContent())!;
    const longtasks = (await page.evaluate('window.__longtasks')) as Array<{ start: number; duration: number }>;
    const longest = Math.max(0, ...longtasks.map((l) => l.duration));
    report.series200 = { analysis: text, wallMs: Date.now() - t1, slicesPerSecond: Number(/([\d.]+) slices\/s/.exec(text)![1]), longtasks: longtasks.length, longestTaskMs: longest };
    console.log(`200-slice series: ${text}; ${longtasks.length} long tasks, longest ${longest.toFixed(0)} ms; list of 200 in ${String(report.list200Ms)} ms`);
    expect(longest).toBeLessThan(100);
    const verdict = page.getByRole('article', { name: 'Series verdict' });
    expect(await verdict.getByTestId('series-result').textContent()).toBe('Tumor');
    const keys = await verdict.locator('.key-slices li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-slice'))));
    expect(keys.sort()).toEqual([95, 96, 97]);
  }, 300_000);
});

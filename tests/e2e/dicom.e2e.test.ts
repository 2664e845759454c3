// DICOM in the PWA, end to end in Chromium against the built app (vite preview, production headers): a first visit
// fetches no DICOM code; a single-frame MR chosen in the picker with no extension, a multi-frame MR (one row per
// frame, as a batch) and a CT dropped on the page (refused as not a brain MRI); the device's 96×96 crop equals the
// one Node makes with the same shared code; offline after one visit, a DICOM whose decoder was fetched once decodes,
// one never fetched says which decoder to fetch, and "Prepare DICOM decoders for offline use" fetches them all.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { preprocess } from '../../models/core/preprocess.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { CODEC_CACHE } from '../../web/lib/runtime.ts';
import { FAKE_PATIENT, HAS_PYDICOM_FILES, greyPicture, jpegLs, multiFrameMr, pydicomBytes, singleFrameMr } from './dicom-samples.ts';
import { HAS_BROWSER, REPO, summarise, tabletProfile, type Served, openOfflineReady } from './harness.ts';

const OUT = `${REPO}tests/e2e/output/`;

/** Chooses one file in the picker and waits for its row(s) to finish. */
async function choose(page: Page, name: string, buffer: Buffer | Uint8Array, mimeType = 'application/octet-stream') {
  await page.getByLabel('MRI image').setInputFiles({ name, mimeType, buffer: Buffer.from(buffer) });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The result rows of one file (one per frame). */
const rows = (page: Page, name: string) =>
  page.locator('table.results tbody tr').filter({ has: page.getByRole('button', { name: new RegExp(`^${escape(name)}( ·|$)`) }) });

async function settled(page: Page, name: string, count = 1) {
  const finished = () => rows(page, name).and(page.locator('[data-status="done"], [data-status="error"]')).count();
  await expect.poll(finished, { timeout: 60_000 }).toBe(count);
}

interface Crop {
  pixels: number[];
  crop: { x: number; y: number; width: number; height: number };
  totalMs: number;
  result: string;
  frame: number | null;
}

// Written as source text so the test runner does not rewrite it; runs the app's own worker (?debug=1).
const ANALYSE = `async ({ b64, ref }) => {
  const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const r = await window.__bigbrain.analyse(new Blob([bin]), ref ?? undefined);
  return { pixels: r.pixels ? Array.from(r.pixels) : [], crop: r.crop, totalMs: r.totalMs, result: r.result, frame: r.dicom ? r.dicom.frame : null };
}`;
const deviceCrop = (page: Page, bytes: Uint8Array, ref?: { frame: number; key: string }) =>
  page.evaluate(`(${ANALYSE})(${JSON.stringify({ b64: Buffer.from(bytes).toString('base64'), ref: ref ?? null })})`) as Promise<Crop>;

async function nodeCrop(bytes: Uint8Array, frame = 1) {
  const file = openDicom(bytes);
  const { pixels } = await renderFrame(file, frame, nodeWasm);
  const pre = preprocess(pixels);
  return { pixels: Array.from(pre.pixels), crop: pre.crop };
}

const cachedPaths = (page: Page) =>
  page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname).sort(), CODEC_CACHE);

describe.runIf(HAS_BROWSER && HAS_PYDICOM_FILES)('DICOM in the PWA (Chromium, vite preview)', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  const report: Record<string, unknown> = {};
  const mrSmall = new Uint8Array(pydicomBytes('MR_small.dcm'));
  const mrJpegLs = new Uint8Array(pydicomBytes('MR_small_jpeg_ls_lossless.dcm'));
  const mrRle = new Uint8Array(pydicomBytes('MR_small_RLE.dcm'));
  const mrJ2k = new Uint8Array(pydicomBytes('MR_small_jp2klossless.dcm'));
  const ct = new Uint8Array(pydicomBytes('CT_small.dcm'));
  let multi: Uint8Array;
  let slice512: Uint8Array;
  let slice512Ls: Uint8Array | null;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const frames = await Promise.all([0, 1, 2].map((i) => greyPicture(256, i)));
    multi = multiFrameMr(frames.map((f) => f.grey));
    const big = await greyPicture(512, 5);
    report.pictures = big.source;
    slice512 = singleFrameMr(big.grey);
    slice512Ls = jpegLs(slice512);
    ({ served, context, page } = await openOfflineReady('?backend=wasm&debug=1', { controlled: true }));
  }, 240_000);
  afterAll(async () => {
    writeFileSync(`${OUT}dicom.json`, JSON.stringify(report, null, 2));
    await context?.close();
    await served?.close();
  });

  it('a first visit fetches no DICOM code and the service worker precaches none', async () => {
    expect(served.requests.filter((r) => /^\/(dicom|codecs)\//.test(r.url))).toEqual([]);
    const sw = readFileSync(`${REPO}dist/web/sw.js`, 'utf8');
    expect(sw).not.toMatch(/"url":"(dicom|codecs)\//);
    expect(sw).not.toMatch(/wasm_decode|openjphjs|dicom-frames/);
    expect(await cachedPaths(page)).toEqual([]);
  });

  it('(a) a single-frame MR with no extension, chosen in the picker: a result, whose scan it is, how it was read', async () => {
    await choose(page, 'IM000001', mrSmall);
    await settled(page, 'IM000001');
    const row = rows(page, 'IM000001');
    expect(await row.getAttribute('data-status')).toBe('done');
    expect(await row.textContent()).toMatch(/Tumor|No Tumor|Not a brain MRI/);
    expect(await row.textContent()).toContain('WASM');
    const card = page.getByRole('article', { name: 'Result for IM000001' });
    const patient = card.getByLabel('Patient (shown on this device only)');
    expect(await patient.textContent()).toContain('CompressedSamples MR1');
    expect(await patient.textContent()).toContain('4MR1');
    expect(await patient.textContent()).toContain('2004-08-26');
    const meta = await card.getByLabel('How the DICOM was read').textContent();
    expect(meta).toContain('1 of 1');
    expect(meta).toContain('MR');
    expect(meta).toContain('Explicit VR Little Endian');
    expect(meta).toContain('centre 600, width 1600 (from the file)');
    // The reader came in once, on this first DICOM, and is kept for offline use; no codec was needed.
    expect(served.requests.filter((r) => r.url.startsWith('/codecs/'))).toEqual([]);
    expect((await cachedPaths(page)).some((p) => /^\/dicom\/dicom-frames-.+\.js$/.test(p))).toBe(true);
  });

  it('(b) a multi-frame MR becomes a batch, one row per frame, each with its frame number', async () => {
    await choose(page, 'series.dcm', multi, 'application/dicom');
    await settled(page, 'series.dcm', 3);
    const texts = await rows(page, 'series.dcm').allTextContents();
    expect(texts).toHaveLength(3);
    texts.forEach((t, i) => {
      expect(t).toContain(`frame ${i + 1}/3`);
      expect(t).toMatch(/Tumor|No Tumor|Not a brain MRI/);
    });
    await page.getByRole('button', { name: 'series.dcm · frame 2/3' }).click();
    const card = page.getByRole('article', { name: 'Result for series.dcm · frame 2/3' });
    expect(await card.getByLabel('How the DICOM was read').textContent()).toContain('2 of 3');
    expect(await card.getByLabel('Patient (shown on this device only)').textContent()).toContain('DOE JANE');
    expect(await card.textContent()).toContain(FAKE_PATIENT.seriesDescription);
    await page.screenshot({ path: `${OUT}dicom-multiframe.png`, fullPage: true });
  });

  it('(c) a CT dropped on the page is refused as not a brain MRI, naming the modality, with no diagnosis', async () => {
    const dt = await page.evaluateHandle((b64) => {
      const t = new DataTransfer();
      t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'ct-scan'));
      return t;
    }, Buffer.from(ct).toString('base64'));
    await page.dispatchEvent('.dropzone', 'drop', { dataTransfer: dt });
    await settled(page, 'ct-scan');
    const row = rows(page, 'ct-scan');
    expect(await row.textContent()).toContain('Not a brain MRI');
    expect(await row.textContent()).toContain('—');
    await row.getByRole('button', { name: 'ct-scan' }).click();
    const card = page.getByRole('article', { name: 'Result for ct-scan' });
    expect(await card.textContent()).toContain('this DICOM file is CT, not MR');
    expect(await card.getByRole('note').textContent()).toMatch(/CT, not MR: BigBrain reads brain MRI only/);
    expect(await card.getByLabel('Class probabilities').count()).toBe(0);
    expect(await card.getByText(/Heatmap/).count()).toBe(0);
  });

  it('(f) parity: the 96×96 crop of each DICOM is identical in Chromium and in Node; per-slice times', async () => {
    const cases: Array<[string, Uint8Array, number]> = [
      ['MR_small (explicit LE, 64²)', mrSmall, 1],
      ['MR_small_RLE', mrRle, 1],
      ['MR_small_jpeg_ls_lossless', mrJpegLs, 1],
      ['multi-frame, frame 2', multi, 2],
      ['512² 12-bit, explicit LE', slice512, 1],
    ];
    if (slice512Ls) cases.push(['512² 12-bit, JPEG-LS lossless', slice512Ls, 1]);
    const parity: Record<string, unknown> = {};
    for (const [name, bytes, frame] of cases) {
      const [b, n] = await Promise.all([deviceCrop(page, bytes, { frame, key: `parity-${name}` }), nodeCrop(bytes, frame)]);
      expect(b.frame).toBe(frame);
      expect(b.crop, name).toEqual(n.crop);
      expect(b.pixels, name).toEqual(n.pixels);
      parity[name] = { identical: true, crop: b.crop };
    }
    report.parity = parity;
    // Per slice, end to end in the worker (parse + decode + VOI + preprocess + inference), single-frame files.
    const timing: Record<string, unknown> = {};
    for (const [name, bytes] of [['MR_small (64², native)', mrSmall], ...(slice512Ls ? [['512² JPEG-LS lossless', slice512Ls] as const] : [])] as const) {
      for (let i = 0; i < 3; i++) await deviceCrop(page, bytes);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) times.push((await deviceCrop(page, bytes)).totalMs);
      timing[name] = summarise(times);
    }
    report.perSliceMs = timing;
    console.log('[e2e] DICOM per slice in Chromium (ms):', timing);
  });

  it('(d) offline after one visit: a DICOM whose decoder was fetched decodes, one never fetched names its decoder; Prepare fetches all', async () => {
    // Online, the JPEG-LS file fetched CharLS (once: the parity run used it many times).
    expect(served.requests.filter((r) => r.url.startsWith('/codecs/')).map((r) => r.url)).toEqual(['/codecs/charls.wasm']);
    const kept = await cachedPaths(page);
    expect(kept).toContain('/codecs/charls.wasm');
    expect(kept.some((p) => /^\/dicom\/charlswasm_decode-.+\.js$/.test(p))).toBe(true);
    expect(kept.some((p) => p.includes('openjpeg'))).toBe(false);

    // A second device prepares every decoder while online.
    const other = await tabletProfile();
    const second = other.pages()[0] ?? (await other.newPage());
    await second.goto(`${served.url}/?backend=wasm`);
    await second.getByText('Ready offline').waitFor({ timeout: 120_000 });
    await second.getByRole('button', { name: 'Prepare DICOM decoders for offline use' }).click();
    await second.getByText('DICOM decoders ready offline').waitFor({ timeout: 60_000 });
    const prepared = await cachedPaths(second);
    for (const c of ['charls', 'libjpeg-turbo', 'openjpeg', 'openjph']) expect(prepared).toContain(`/codecs/${c}.wasm`);
    expect(prepared.filter((p) => /^\/dicom\/.+\.js$/.test(p)).length).toBeGreaterThanOrEqual(5); // reader + 4 glue

    // The network gone: stop the server, go offline, reload both.
    await served.close();
    await context.setOffline(true);
    await other.setOffline(true);
    await page.reload();
    await page.getByText('Ready offline').waitFor({ timeout: 60_000 });
    await choose(page, 'offline-jpeg-ls', mrJpegLs);
    await settled(page, 'offline-jpeg-ls');
    expect(await rows(page, 'offline-jpeg-ls').getAttribute('data-status')).toBe('done');
    await choose(page, 'offline-j2k', mrJ2k);
    await settled(page, 'offline-j2k');
    const j2k = rows(page, 'offline-j2k');
    expect(await j2k.getAttribute('data-status')).toBe('error');
    expect(await j2k.textContent()).toContain('JPEG 2000 decoder (OpenJPEG)');
    expect(await j2k.textContent()).toMatch(/Connect to the network once/);

    await second.reload();
    await second.getByText('Ready offline').waitFor({ timeout: 60_000 });
    await choose(second, 'prepared-j2k', mrJ2k);
    await settled(second, 'prepared-j2k');
    expect(await rows(second, 'prepared-j2k').getAttribute('data-status')).toBe('done');
    await other.close();
  }, 240_000);
});

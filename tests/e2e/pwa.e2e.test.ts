// The PWA end to end in Chromium against the built app (vite preview, production headers):
// on-device analysis with WASM, no image bytes leave without consent, offline after one visit,
// installability, a tablet screenshot.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILE, MODEL_INFO } from '../../models/core/model.ts';
import { RUNTIME_CACHE } from '../../web/lib/runtime.ts';
import { HAS_BROWSER, REPO, analyse, summarise, ensureBuilt, tabletProfile, realMri, serveDist, syntheticMri, syntheticPhoto, type Served } from './harness.ts';
import { available } from '../support/skip.ts';

const OUT = `${REPO}tests/e2e/output/`;

describe.runIf(HAS_BROWSER)('PWA in Chromium (WASM, vite preview)', () => {
  let context: BrowserContext;
  let served: Served;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    await ensureBuilt();
    served = await serveDist();
    context = await tabletProfile();
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('analyses on the device, works offline after one visit, sends no image, is installable', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    await page.goto(`${served.url}/?backend=wasm&debug=1`);

    // Notice, label, model delivery.
    await page.getByText('not a medical device').waitFor();
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    const readyText = await page.getByTestId('model-ready').textContent();
    expect(readyText).toContain(MODEL_INFO.version);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // The one runtime this device uses is cached; the other is not fetched at all.
    const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname), RUNTIME_CACHE);
    expect(cached.sort()).toEqual(['/' + MODEL_FILE, '/ort/ort-wasm-simd-threaded.mjs', '/ort/ort-wasm-simd-threaded.wasm'].sort());
    expect(served.requests.some((r) => r.url.includes('asyncify'))).toBe(false);

    // Analyse a synthetic MRI and a non-MRI on the device.
    const mri = await analyse(page, 'synthetic-mri.png', await syntheticMri());
    expect(mri).toMatch(/Tumor|No Tumor|Not a brain MRI/);
    expect(mri).toContain('WASM');
    const photo = await analyse(page, 'photo.png', await syntheticPhoto());
    expect(photo).toContain('Not a brain MRI');
    expect(photo).toContain('WASM');
    // A refused image carries no P(tumour): "—" in its row, none in the announcement.
    expect(photo).not.toMatch(/P\(tumour\)|%/);
    const photoRow = page.locator('tr', { has: page.getByRole('button', { name: 'photo.png' }) });
    expect(await photoRow.locator('td').allTextContents()).toEqual(expect.arrayContaining(['Not a brain MRI', '—']));
    const real = realMri();
    if (available(real !== null, 'the MRI data folder (real-MRI case)')) {
      const text = await analyse(page, 'real-mri.jpg', readFileSync(real!), 'image/jpeg');
      expect(text).toMatch(/Tumor|No Tumor/);
    }
    // A bad file shows its error in its row.
    await page.getByLabel('MRI image').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
    await page.getByRole('status').filter({ hasText: 'notes.png' }).waitFor();
    expect(await page.locator('tr[data-status="error"]').count()).toBe(1);
    // An icon-sized picture is refused by the shared preprocessing, in the browser as on the server.
    const icon = await sharp({ create: { width: 48, height: 48, channels: 3, background: { r: 60, g: 60, b: 60 } } }).png().toBuffer();
    await page.getByLabel('MRI image').setInputFiles({ name: 'icon.png', mimeType: 'image/png', buffer: icon });
    await page.getByRole('status').filter({ hasText: 'icon.png' }).waitFor();
    const iconRow = page.locator('tr[data-status="error"]', { has: page.getByRole('button', { name: 'icon.png' }) });
    expect(await iconRow.textContent()).toMatch(/48×48: too small.*64 px/);

    // Threads and the heatmap caption.
    const info = await page.evaluate(() => (window as unknown as { __bigbrain: { info: { threads: number; backend: string } } }).__bigbrain.info);
    expect(info.backend).toBe('WASM');
    expect(info.threads).toBeGreaterThan(1);
    await page.getByRole('button', { name: 'synthetic-mri.png' }).click();
    await page.getByText('where the evidence was found, not an outline of the tumour').first().waitFor();
    await page.getByRole('img', { name: /evidence map/ }).waitFor();

    // Tablet screenshots, portrait and landscape.
    await page.screenshot({ path: `${OUT}tablet-portrait.png`, fullPage: true });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.screenshot({ path: `${OUT}tablet-landscape.png`, fullPage: true });

    // Installability over the DevTools protocol.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);

    // No image bytes reached the server: no /detect, no request with a body at all.
    const withBody = served.requests.filter((r) => r.bytes > 0 || r.url.startsWith('/detect'));
    expect(withBody).toEqual([]);

    // Network really gone: stop the server, go offline, reload, analyse again.
    await served.close();
    await context.setOffline(true);
    await page.reload();
    await page.getByText('Ready offline').waitFor({ timeout: 60_000 });
    const offline = await analyse(page, 'offline-mri.png', await syntheticMri(200));
    expect(offline).toMatch(/Tumor|No Tumor|Not a brain MRI/);
    expect(offline).toContain('WASM');
    // Offline and signed out: the server is offered with the reason it is unavailable.
    expect(await page.getByRole('button', { name: 'Analyse on server' }).first().isDisabled()).toBe(true);

    // Model-only timing, WASM, all threads.
    const times = await page.evaluate(() => (window as unknown as { __bigbrain: { bench(r: number, w: number): Promise<number[]> } }).__bigbrain.bench(50, 5));
    const report = { backend: 'WASM', threads: info.threads, ...summarise(times) };
    writeFileSync(`${OUT}wasm-bench.json`, JSON.stringify(report, null, 2));
    console.log('[e2e] WASM model-only ms', report);
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  }, 300_000);
});

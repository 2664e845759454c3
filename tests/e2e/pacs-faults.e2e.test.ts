// Orthanc stopped mid-series while the PWA opens a series from the PACS panel, in Chromium against the real server
// (DICOMWEB_URL pointing at a relay in front of a real Orthanc holding a 20-slice 256² MR series): the relay holds
// the series answer part way, Orthanc is stopped → the gateway breaks the answer off → the panel says the series did
// not arrive whole; the series feature got nothing (no study listed), nothing in history. Orthanc restarted → Open
// series again → the whole series → Analyse → a verdict, and one series in history.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { pacsRelay, type PacsRelay } from '../support/pacs-relay.ts';
import { seriesFiles } from '../support/series-fixtures.ts';
import { available } from '../support/skip.ts';
import type { Spawned } from '../support/spawn-server.ts';
import { greyPicture } from './dicom-samples.ts';
import { HAS_BROWSER, signUp, startProductionApp, type ProductionApp } from './harness.ts';

const STUDY = '2.25.81234567891000888';
const SERIES = '2.25.81234567892000888';
const SLICES = 20;

describe.runIf(HAS_BROWSER && available(hasOrthanc, 'Orthanc with its DICOMweb plugin (apt: orthanc, orthanc-dicomweb)'))('the PACS panel when Orthanc stops mid-series (Chromium, real server, real Orthanc)', () => {
  let context: BrowserContext;
  let server: Spawned;
  let orthanc: Orthanc;
  let relay: PacsRelay;
  let app: ProductionApp | undefined;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const greys = await Promise.all(Array.from({ length: SLICES }, async (_, k) => ({ grey: (await greyPicture(256, k)).grey, tumour: false })));
    for (const s of seriesFiles({ studyUid: STUDY, seriesUid: SERIES, description: 'T1 AX FAULT', seriesNumber: 4, slices: greys })) await orthanc.upload(s.bytes);
    relay = await pacsRelay(orthanc.port);
    app = await startProductionApp('pacs-faults', {
      DICOMWEB_URL: `${relay.url}/dicom-web`, DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD, DICOMWEB_TIMEOUT_MS: '10000',
    });
    ({ server, context } = app);
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await relay?.close();
    await orthanc?.dispose();
  });

  it('stopped mid-series → a clear error, nothing handed on or saved; restarted → Open series again → the whole series analysed', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/?backend=wasm`);
    await signUp(page, 'pacs-faults-e2e@example.com');
    const panel = page.getByRole('region', { name: 'PACS' });
    await panel.waitFor({ timeout: 30_000 });
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });

    await panel.getByLabel('Patient name').fill('DOE');
    await panel.getByRole('button', { name: 'Search' }).click();
    const study = panel.getByRole('list', { name: 'PACS studies' }).getByRole('listitem').first();
    await study.waitFor({ timeout: 30_000 });
    await study.getByRole('button', { name: 'Series' }).click();
    const row = panel.getByRole('list', { name: 'PACS series' }).getByRole('listitem').filter({ hasText: 'T1 AX FAULT' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`${SLICES} slices`);

    // About a third of the series' answer (≈ 1.3 MiB) reaches the server, then Orthanc is stopped.
    const held = relay.holdAfter(450_000);
    await row.getByRole('button', { name: 'Open series' }).click();
    await held;
    await orthanc.stop();
    const alert = panel.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    const text = (await alert.textContent())!;
    console.log(`PWA, Orthanc stopped mid-series: "${text}"`);
    expect(text).toMatch(/^The series did not arrive whole \((it stopped after (\d+ KiB|\d+\.\d MiB)|only \d+ of 20 slices arrived): the PACS or the connection went away\)\. Nothing was kept or analysed; try again when the PACS is back\.$/);
    expect(await panel.getByTestId('pacs-progress').count()).toBe(0);
    // Nothing half-saved: the series feature was given nothing (no study listed), history holds nothing.
    expect(await page.getByRole('region', { name: 'Studies' }).count()).toBe(0);
    expect(await page.locator('ol[aria-label="Past results, newest first"] > li').count()).toBe(0);

    await orthanc.start();
    relay.plain();
    await row.getByRole('button', { name: 'Open series' }).click();
    const list = page.getByRole('region', { name: 'Studies' });
    await list.waitFor({ timeout: 60_000 });
    expect(await panel.getByRole('alert').count()).toBe(0);
    const seriesRow = list.locator('tr[data-series="T1 AX FAULT"]');
    expect((await seriesRow.locator('td').allTextContents())[1]).toBe(String(SLICES));
    await page.getByRole('button', { name: 'Analyse series T1 AX FAULT' }).click();
    await expect.poll(() => page.getByTestId('series-progress').textContent(), { timeout: 180_000 }).toMatch(new RegExp(`^${SLICES} of ${SLICES} slices .* s$`));
    const result = await page.getByRole('article', { name: 'Series verdict' }).getByTestId('series-result').textContent();
    expect(result).toMatch(/^(Tumor|No Tumor|Uncertain|Outside validated use|Not a brain MRI)/);
    await expect.poll(() => page.locator('ol[aria-label="Past results, newest first"] > li[data-kind="series"]').count(), { timeout: 30_000 }).toBe(1);
  }, 400_000);
});

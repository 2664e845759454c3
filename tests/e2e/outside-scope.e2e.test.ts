// "Outside validated use" in the PWA, end to end in Chromium against the built app: a sagittal DICOM slice chosen in
// the picker is read on the device, answered "Outside validated use" with the reasons and no P(tumour), bars or heat
// map, and offers no "Analyse on server" (the server would get a bare PNG, without the metadata); the same slice as
// an axial one is diagnosed as before.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFile } from '../../models/scripts/dicom-write.ts';
import { greyPicture } from './dicom-samples.ts';
import { HAS_BROWSER, type Served, openOfflineReady } from './harness.ts';

const rows = (page: Page, name: string) =>
  page.locator('table.results tbody tr').filter({ has: page.getByRole('button', { name: new RegExp(`^${name}( ·|$)`) }) });

describe.runIf(HAS_BROWSER)('Outside validated use in the PWA (Chromium, vite preview)', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  let slice: (orientation: number[], description: string) => Uint8Array;

  beforeAll(async () => {
    const { grey } = await greyPicture(256, 2);
    slice = (orientation, description) => imageFile({
      rows: grey.height, columns: grey.width, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometric: 'MONOCHROME2',
      pixels: grey.data.slice(), window: { center: 128, width: 256 },
      identity: { seriesDescription: description, sopInstanceUid: `2.25.9${orientation[1]}` },
      geometry: { imageOrientation: orientation, pixelSpacing: [0.9, 0.9] },
      timing: { repetitionTime: 4000, echoTime: 100 },
    });
    ({ served, context, page } = await openOfflineReady());
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('a sagittal T2 slice: "Outside validated use (sagittal)", no diagnosis, no server button; an axial one is diagnosed', async () => {
    await page.getByLabel('MRI image').setInputFiles({ name: 'SAG0001', mimeType: 'application/octet-stream', buffer: Buffer.from(slice([0, 1, 0, 0, 0, -1], 'sag t2 tse')) });
    await expect.poll(() => rows(page, 'SAG0001').and(page.locator('[data-status="done"]')).count(), { timeout: 60_000 }).toBe(1);
    const row = rows(page, 'SAG0001');
    expect(await row.textContent()).toContain('Outside validated use');
    expect(await row.getByRole('button', { name: 'Analyse on server' }).count()).toBe(0);
    const card = page.getByRole('article', { name: 'Result for SAG0001' });
    expect(await card.textContent()).toContain("outside the model's validated use (sagittal)");
    expect(await card.getByLabel('Class probabilities').count()).toBe(0);
    expect(await card.getByText('Show heatmap').count()).toBe(0);

    await page.getByLabel('MRI image').setInputFiles({ name: 'AX0001', mimeType: 'application/octet-stream', buffer: Buffer.from(slice([1, 0, 0, 0, 1, 0], 'ax t2 tse')) });
    await expect.poll(() => rows(page, 'AX0001').and(page.locator('[data-status="done"]')).count(), { timeout: 60_000 }).toBe(1);
    expect(await rows(page, 'AX0001').textContent()).toMatch(/Tumor|No Tumor|Not a brain MRI/);
    expect(await rows(page, 'AX0001').textContent()).not.toContain('Outside validated use');
  }, 120_000);
});

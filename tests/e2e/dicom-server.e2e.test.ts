// "Analyse on server" for a DICOM, against the real server (api/server.ts serving dist/ + API): what leaves the device
// is the decoded frame as a PNG, named by its frame number. Every byte the browser sends is captured by a TCP relay in
// front of the server (request lines, headers, bodies, on every connection) and none holds the patient's name, ID,
// birth date, institution, accession number or the file's UIDs — nor the DICOM file itself. A CT refused on the device
// is not sent at all. The server's answer on the PNG matches the device's.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spawned } from '../support/spawn-server.ts';
import { FAKE_PATIENT, FAKE_UIDS, HAS_PYDICOM_FILES, greyPicture, jpegLs, multiFrameMr, pydicomBytes, singleFrameMr } from './dicom-samples.ts';
import { HAS_BROWSER, relayTo, signUp, startProductionApp, type ProductionApp } from './harness.ts';

/** Everything that would identify the patient or the study, in the spellings it could take on the way out. */
const SECRETS = [
  FAKE_PATIENT.patientName, 'DOE JANE', 'JANE', FAKE_PATIENT.patientId, FAKE_PATIENT.birthDate, '1970-01-01',
  FAKE_PATIENT.institution, 'FAKE GENERAL', FAKE_PATIENT.accession, FAKE_UIDS.study, FAKE_UIDS.series, FAKE_UIDS.sop,
  '2.25.912345678', 'DICM',
];

const row = (page: Page, label: string) => page.getByRole('row').filter({ has: page.getByRole('button', { name: label, exact: true }) });

describe.runIf(HAS_BROWSER && HAS_PYDICOM_FILES)('DICOM to the server: only the decoded frame leaves the device', () => {
  let context: BrowserContext;
  let server: Spawned;
  let app: ProductionApp | undefined;

  beforeAll(async () => {
    app = await startProductionApp('dicom');
    ({ server, context } = app);
  }, 240_000);
  afterAll(() => app?.close());

  it('sends a PNG of the frame, with no name, ID, birth date, institution or UID in any request', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const relay = await relayTo(server.port);
    const posts: string[] = [];
    context.on('request', (r) => r.method() === 'POST' && posts.push(new URL(r.url()).pathname));
    const csp: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));
    await page.goto(`${relay.url}/?backend=wasm`);
    await signUp(page, 'dicom@example.com');
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });

    const slice = (await greyPicture(256, 2)).grey;
    // JPEG-LS, so a WASM codec runs under the server's Content-Security-Policy too.
    const single = jpegLs(singleFrameMr(slice)) ?? singleFrameMr(slice);
    const multi = multiFrameMr([slice, (await greyPicture(256, 4)).grey]);
    const input = page.getByLabel('MRI image');
    await input.setInputFiles({ name: `${FAKE_UIDS.sop}.dcm`, mimeType: 'application/dicom', buffer: Buffer.from(single) });
    await page.getByRole('status').filter({ hasText: `${FAKE_UIDS.sop}.dcm: ` }).waitFor({ timeout: 60_000 });
    const device = (await row(page, `${FAKE_UIDS.sop}.dcm`).textContent()) ?? '';
    expect(device).toContain('WASM');

    // Consent: this slice to the server.
    await row(page, `${FAKE_UIDS.sop}.dcm`).getByRole('button', { name: 'Analyse on server' }).click();
    await page.getByRole('status').filter({ hasText: /Server/ }).waitFor({ timeout: 60_000 });
    const onServer = (await row(page, `${FAKE_UIDS.sop}.dcm`).textContent()) ?? '';
    expect(onServer).toContain('Server');
    // The same pixels reach the same model: the same answer, P(tumour) shown to 0.1 %.
    const pOf = (t: string) => /(\d+\.\d) %/.exec(t)?.[1];
    if (pOf(device) && pOf(onServer)) expect(Math.abs(Number(pOf(device)) - Number(pOf(onServer)))).toBeLessThanOrEqual(0.1);
    // The card still says whose scan it is (locally).
    await row(page, `${FAKE_UIDS.sop}.dcm`).getByRole('button', { name: `${FAKE_UIDS.sop}.dcm` }).click();
    expect(await page.getByLabel('Patient (shown on this device only)').textContent()).toContain('DOE JANE');
    expect(await page.getByLabel('How the DICOM was read').textContent()).toMatch(/JPEG-LS Lossless|Explicit VR Little Endian/);

    // Frame 2 of a multi-frame file.
    await input.setInputFiles({ name: 'series', mimeType: 'application/octet-stream', buffer: Buffer.from(multi) });
    await row(page, 'series · frame 2/2').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    await row(page, 'series · frame 2/2').getByRole('button', { name: 'Analyse on server' }).click();
    await row(page, 'series · frame 2/2').filter({ hasText: 'Server' }).waitFor({ timeout: 60_000 });

    // A CT is refused on the device: pressing the button sends nothing.
    const detects = () => posts.filter((p) => p === '/detect').length;
    expect(detects()).toBe(2);
    await input.setInputFiles({ name: 'ct.dcm', mimeType: 'application/dicom', buffer: pydicomBytes('CT_small.dcm') });
    await row(page, 'ct.dcm').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    await row(page, 'ct.dcm').getByRole('button', { name: 'Analyse on server' }).click();
    await page.getByRole('status').filter({ hasText: 'ct.dcm: Not a brain MRI' }).waitFor();
    expect(detects()).toBe(2);

    // Device results synced to the account (results and a pixel hash only).
    await page.getByText(/all synced/).waitFor({ timeout: 30_000 });

    expect(posts).toEqual(expect.arrayContaining(['/detect', '/api/detections']));

    // Everything the browser sent, on every connection: the uploads are there (so the capture is not empty) …
    const all = relay.sent();
    relay.close();
    const text = all.toString('latin1');
    expect(text.match(/POST \/detect HTTP/g)).toHaveLength(2);
    expect(text).toMatch(/filename="frame-1\.png"[^]*filename="frame-2\.png"/);
    expect(all.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeGreaterThan(0);
    expect(text).toContain('POST /api/detections HTTP');
    // … and nothing that names the patient or the study, in any request line, header or body.
    for (const secret of SECRETS) {
      expect(all.includes(Buffer.from(secret, 'latin1')), secret).toBe(false);
      expect(all.includes(Buffer.from(secret, 'utf16le')), `${secret} (UTF-16)`).toBe(false);
    }
    // The DICOM file itself never went out, in whole or in part (its pixel data is most of it).
    expect(all.includes(Buffer.from(single).subarray(single.length - 4096))).toBe(false);
    expect(all.includes(Buffer.from(multi).subarray(multi.length - 4096))).toBe(false);
    expect(csp).toEqual([]);
  }, 400_000);
});

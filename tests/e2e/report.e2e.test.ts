// The one-page report in Chromium, against the built app (vite preview): a multi-frame MR analysed on the device
// (a DICOM batch), "Report" opened offline, printed with page.pdf() to A4 — exactly one page, with the study and
// series, verdict, model and sha256, thresholds, backend, time and disclaimer, none of the app's chrome, and the
// patient's name and ID only once ticked for this report. Screenshots and PDFs land in tests/e2e/output/.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_INFO, MODEL_SHA256 } from '../../models/core/model.ts';
import { seriesFiles } from '../support/series-fixtures.ts';
import { FAKE_PATIENT, greyPicture, multiFrameMr } from './dicom-samples.ts';
import { HAS_BROWSER, REPO, type Served, openOfflineReady } from './harness.ts';

const OUT = `${REPO}tests/e2e/output/`;
const FRAMES = 12;
const has = (tool: string) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error === undefined;
/** poppler-utils reads the PDF when installed; E2E_NO_POPPLER=1 tries the fallbacks. */
const HAS_POPPLER = !process.env.E2E_NO_POPPLER && has('pdfinfo') && has('pdftotext');

/** Pages of a PDF: poppler's count when installed, else the page objects in the file (Skia writes them plainly). */
function pageCount(path: string, pdf: Buffer): number {
  if (HAS_POPPLER) return Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1]);
  return pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g)?.length ?? 0;
}

/** The printed text: pdftotext when installed, else what the print-media page shows (display: none is not there). */
async function printedText(page: Page, path: string): Promise<string> {
  if (HAS_POPPLER) return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  await page.emulateMedia({ media: 'print' });
  const text = await page.evaluate(() => document.body.innerText);
  await page.emulateMedia({ media: null }); // not 'screen': page.pdf() would then print the screen styles
  return text;
}

async function printToPdf(page: Page, name: string) {
  const path = `${OUT}${name}.pdf`;
  const pdf = await page.pdf({ format: 'A4', printBackground: true, path });
  writeFileSync(path, pdf);
  return { pages: pageCount(path, pdf), text: (await printedText(page, path)).replace(/\s+/g, ' ') };
}

describe.runIf(HAS_BROWSER)('one-page report (Chromium, vite preview)', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  let series: Array<{ name: string; mimeType: string; buffer: Buffer }>;
  const facts: Record<string, unknown> = { textFrom: HAS_POPPLER ? 'pdftotext' : 'print-media DOM' };

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const frames = await Promise.all(Array.from({ length: FRAMES }, (_, i) => greyPicture(256, i)));
    facts.pictures = frames[0]!.source;
    const file = multiFrameMr(frames.map((f) => f.grey));
    // The same pictures as a series of single-frame files with geometry, for the series feature's own report.
    series = seriesFiles({ studyUid: '2.25.7100001', seriesUid: '2.25.7100002', description: 'T1 AX REPORT', seriesNumber: 5, slices: frames.map((f) => ({ grey: f.grey, tumour: false })) })
      .map((f, i) => ({ name: `S${String(i).padStart(3, '0')}`, mimeType: 'application/dicom', buffer: Buffer.from(f.bytes) }));
    ({ served, context, page } = await openOfflineReady('?backend=wasm', { controlled: true }));
    await page.getByLabel('MRI image').setInputFiles({ name: 'IM0001', mimeType: 'application/dicom', buffer: Buffer.from(file) });
    await page.waitForFunction((n) => document.querySelectorAll('table.results tbody tr[data-status="done"]').length === n, FRAMES, { timeout: 120_000 });
  }, 300_000);
  afterAll(async () => {
    writeFileSync(`${OUT}report.json`, JSON.stringify(facts, null, 2));
    await context?.close();
    await served?.close();
  });

  it('opens offline from the DICOM batch, prints to exactly one A4 page with all it must say and no patient data', async () => {
    await context.setOffline(true);
    await page.getByRole('button', { name: `Report (${FRAMES} DICOM slices)` }).click();
    const dialog = page.getByRole('dialog', { name: 'BigBrain series report' });
    await dialog.waitFor();
    // window.print() is what the Print button calls; headless Chromium's own print is page.pdf().
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void (window as unknown as { printed: number }).printed++;
    });
    await dialog.getByRole('button', { name: 'Print' }).click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.locator('.report').screenshot({ path: `${OUT}report.png` });

    const { pages, text } = await printToPdf(page, 'report');
    facts.withoutPatient = { pages, chars: text.length };
    expect(pages).toBe(1);
    const verdict = /(Tumor|No Tumor|Uncertain|Outside validated use)/.exec(text)?.[1];
    facts.verdict = verdict;
    facts.keySlices = await dialog.getByRole('img', { name: /^Key slice/ }).count();
    for (const s of [
      'BigBrain series report', FAKE_PATIENT.seriesDescription, '2024-02-29', 'P(tumour) for the series', `${FRAMES}`, 'MR',
      MODEL_INFO.name, MODEL_INFO.version, 'Slice threshold', 'Series rule', 'mean P(tumour) of the top', 'Ran on',
      'this device, WASM', 'Date and time', 'Research and triage support only — not a medical device',
      'P(tumour) along the series', 'Key slices',
    ]) expect(text, s).toContain(s);
    expect(text.replace(/\s/g, '')).toContain(MODEL_SHA256); // a layout may break the 64 digits across lines
    expect(verdict).toBeTruthy();
    expect(text).toMatch(/Analysed \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC[+−]\d{2}:\d{2}/);
    // Neither the patient nor the app's chrome.
    expect(text).not.toMatch(/DOE|JANE|PID-12345/);
    for (const chrome of ['Analyse on server', 'Settings', 'History', 'Print the patient', 'Close report', 'MRI image']) expect(text, chrome).not.toContain(chrome);
  });

  it('with the patient box ticked: the name and ID are printed, still on one page; unticked again they are gone', async () => {
    const dialog = page.getByRole('dialog', { name: 'BigBrain series report' });
    const box = dialog.getByRole('checkbox', { name: /patient’s name and ID/ });
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await page.locator('.report').screenshot({ path: `${OUT}report-patient.png` });
    const ticked = await printToPdf(page, 'report-patient');
    facts.withPatient = { pages: ticked.pages, chars: ticked.text.length };
    expect(ticked.pages).toBe(1);
    expect(ticked.text).toMatch(/DOE.?JANE/);
    expect(ticked.text).toContain(FAKE_PATIENT.patientId);
    await box.uncheck();
    const again = await printToPdf(page, 'report-again');
    expect(again.pages).toBe(1);
    expect(again.text).not.toMatch(/DOE|PID-12345/);
    // Closed and opened again: unticked (the choice is for one report).
    await dialog.getByRole('button', { name: 'Close report' }).click();
    await page.getByRole('button', { name: `Report (${FRAMES} DICOM slices)` }).click();
    expect(await page.getByRole('checkbox', { name: /patient’s name and ID/ }).isChecked()).toBe(false);
    await context.setOffline(false);
  });

  it('dark display on screen still prints ink on white, on one page', async () => {
    await page.getByRole('button', { name: 'Close report' }).click();
    await page.getByRole('button', { name: 'Dark display' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('button', { name: `Report (${FRAMES} DICOM slices)` }).click();
    await page.locator('.report').screenshot({ path: `${OUT}report-dark-screen.png` });
    const { pages } = await printToPdf(page, 'report-dark');
    expect(pages).toBe(1);
    await page.emulateMedia({ media: 'print' });
    const colours = await page.evaluate(() => {
      const r = getComputedStyle(document.querySelector('.report')!);
      return { bg: r.backgroundColor, ink: r.color };
    });
    await page.emulateMedia({ media: null }); // not 'screen': page.pdf() would then print the screen styles
    expect(colours).toEqual({ bg: 'rgb(255, 255, 255)', ink: 'rgb(0, 0, 0)' });
    await page.getByRole('button', { name: 'Close report' }).click();
    await page.getByRole('button', { name: 'Dark display' }).click();
  });

  it('from the series feature: its Report button opens its SeriesResult, one page; history keeps the series without the patient', async () => {
    await page.getByLabel('DICOM files of a series').setInputFiles(series);
    await page.getByRole('button', { name: 'Analyse series T1 AX REPORT' }).click();
    await expect.poll(() => page.getByTestId('series-progress').textContent(), { timeout: 120_000 }).toMatch(new RegExp(`^${FRAMES} of ${FRAMES} slices`));
    await page.locator('.series-actions').getByRole('button', { name: 'Report' }).click();
    const dialog = page.getByRole('dialog', { name: 'BigBrain series report' });
    await dialog.waitFor();
    await page.locator('.report').screenshot({ path: `${OUT}report-series.png` });
    const { pages, text } = await printToPdf(page, 'report-series');
    facts.series = { pages, verdict: /(Tumor|No Tumor|Uncertain|Outside validated use)/.exec(text)?.[1], keySlices: await dialog.getByRole('img', { name: /^Key slice/ }).count() };
    expect(pages).toBe(1);
    for (const t of ['T1 AX REPORT', '(#5)', `${FRAMES}`, 'P(tumour) along the series', 'Slice position along the slice normal (mm)', 'Research and triage support only']) expect(text, t).toContain(t);
    expect(text.replace(/\s/g, '')).toContain(MODEL_SHA256);
    expect(text).not.toMatch(/DOE|PID-12345/);
    await dialog.getByRole('button', { name: 'Close report' }).click();
    // History: one series entry, none of the patient's data in what was stored (IndexedDB, this account).
    const entry = page.locator('.history-list li[data-kind="series"]');
    await entry.first().waitFor();
    expect(await entry.count()).toBe(1);
    expect(await entry.textContent()).toContain(`Series · T1 AX REPORT · ${FRAMES} slices`);
    const stored = await page.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('bigbrain');
      open.onsuccess = () => { const r = open.result.transaction('detections').objectStore('detections').getAll(); r.onsuccess = () => resolve(JSON.stringify(r.result)); r.onerror = () => reject(r.error); };
      open.onerror = () => reject(open.error);
    })`) as string;
    const row = (JSON.parse(stored) as Array<{ series?: unknown }>).filter((r) => r.series);
    expect(row).toHaveLength(1);
    expect(JSON.stringify(row)).not.toMatch(/DOE|JANE|PID-12345|20240229|2024-02-29|2\.25\.71/);
  });
});

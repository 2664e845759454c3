// Accessibility and tablet grade in Chromium, against the built app (vite preview): axe-core (WCAG 2.0/2.1 A and
// AA rules) reports nothing on any screen — main, settings, account (with a sign-in error), history, a DICOM result
// card, the series study list, verdict and viewer, the report — in light and in dark display; every control is at least 44 × 44 CSS px on a 768 × 1024 tablet;
// the dark display follows prefers-color-scheme and the toggle, and is kept; landscape puts the panels side by side.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriesFiles } from '../support/series-fixtures.ts';
import { greyPicture, multiFrameMr } from './dicom-samples.ts';
import { HAS_BROWSER, REPO, type Served, openOfflineReady } from './harness.ts';

const OUT = `${REPO}tests/e2e/output/`;
const AXE = `${REPO}node_modules/axe-core/axe.min.js`;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface Violation { id: string; impact: string | null; help: string; nodes: string[] }
// Source text, so the test runner leaves it alone; runs in the page.
const RUN_AXE = `async (tags) => {
  const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + n.failureSummary) }));
}`;

interface Target { what: string; width: number; height: number; via?: string }
/**
 * Every visible, non-inert button, input, select, textarea, summary, link and label with a control. An input counts
 * its own box or a label's (the label is its target: tapping it toggles the box), whichever is at least 44 × 44.
 */
const MEASURE = `() => {
  const name = (el) => (el.tagName.toLowerCase() + (el.type ? '[' + el.type + ']' : '') + ' "' + ((el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim().slice(0, 40)) + '"');
  const box = (el) => { const r = el.getBoundingClientRect(); return { width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 }; };
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[inert]'); };
  const out = [];
  for (const el of document.querySelectorAll('button, input, select, textarea, summary, a[href], label')) {
    if (el.tagName === 'LABEL' && !el.control) continue;
    if (!shown(el) && !(el.labels && [...el.labels].some(shown))) continue;
    let b = box(el), via;
    if (el.labels) for (const l of el.labels) {
      const lb = box(l);
      if ((b.width < 44 || b.height < 44) && lb.width >= 44 && lb.height >= 44) { b = lb; via = 'label ' + name(l); }
    }
    out.push({ what: name(el), ...b, ...(via ? { via } : {}) });
  }
  return out;
}`;

describe.runIf(HAS_BROWSER)('accessibility and tablet grade (Chromium, vite preview)', () => {
  let served: Served;
  let context: BrowserContext;
  let page: Page;
  let dicom: Buffer;
  let series: Array<{ name: string; mimeType: string; buffer: Buffer }>;
  const report: Record<string, unknown> = { axe: {}, targets: {} };

  async function axe(screen: string) {
    if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ path: AXE });
    const v = (await page.evaluate(`(${RUN_AXE})(${JSON.stringify(TAGS)})`)) as Violation[];
    (report.axe as Record<string, unknown>)[screen] = v.length ? v : 'no violations';
    expect(v, `${screen}: ${JSON.stringify(v, null, 1)}`).toEqual([]);
  }

  async function targets(screen: string, atLeast = 6) {
    const all = (await page.evaluate(`(${MEASURE})()`)) as Target[];
    const small = all.filter((t) => t.width < 44 || t.height < 44);
    (report.targets as Record<string, unknown>)[screen] = { measured: all.length, smallestHeight: Math.min(...all.map((t) => t.height)), viaLabel: all.filter((t) => t.via).length, small };
    expect(all.length).toBeGreaterThanOrEqual(atLeast);
    expect(small, `${screen}: ${JSON.stringify(small)}`).toEqual([]);
  }

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const frames = await Promise.all([0, 1, 2].map((i) => greyPicture(256, i)));
    const file = multiFrameMr(frames.map((f) => f.grey));
    ({ served, context, page } = await openOfflineReady());
    page.on('pageerror', (e) => console.error('[page]', e.message));
    dicom = Buffer.from(file);
    series = seriesFiles({ studyUid: '2.25.7200001', seriesUid: '2.25.7200002', description: 'T1 AX A11Y', seriesNumber: 2, slices: frames.map((f) => ({ grey: f.grey, tumour: false })) })
      .map((f, i) => ({ name: `S${i}`, mimeType: 'application/dicom', buffer: Buffer.from(f.bytes) }));
  }, 300_000);
  afterAll(async () => {
    writeFileSync(`${OUT}a11y.json`, JSON.stringify(report, null, 2));
    await context?.close();
    await served?.close();
  });

  it('main screen (model, account sign-in, history, settings) at 768 × 1024: axe clean, every control ≥ 44 × 44', async () => {
    expect(page.viewportSize()).toEqual({ width: 768, height: 1024 });
    await axe('main');
    await targets('main');
  });

  it('account: a failed sign-in shows its error, axe clean', async () => {
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel(/mail/i).fill('ada@example.com');
    await form.getByLabel(/password/i).fill('correct horse battery');
    await form.getByRole('button', { name: 'Sign in' }).click();
    // vite preview has no API: the sign-in fails and says so.
    await form.getByRole('alert').waitFor({ timeout: 15_000 });
    await axe('account (after a failed sign-in)');
    await targets('account');
  });

  it('a DICOM result card, its batch table and the history: axe clean, controls ≥ 44 × 44', async () => {
    await page.getByLabel('MRI image').setInputFiles({ name: 'IM0001', mimeType: 'application/dicom', buffer: dicom });
    await page.waitForFunction(() => document.querySelectorAll('table.results tbody tr[data-status="done"]').length === 3, undefined, { timeout: 120_000 });
    await page.getByRole('button', { name: 'IM0001 · frame 2/3' }).click();
    await page.getByRole('article', { name: 'Result for IM0001 · frame 2/3' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.history-list li').length >= 3);
    await axe('DICOM result + history');
    await targets('DICOM result + history');
    await page.screenshot({ path: `${OUT}a11y-light.png`, fullPage: true });
  });

  it('series: the study list, then the verdict and the viewer: axe clean, controls ≥ 44 × 44', async () => {
    await page.getByLabel('DICOM files of a series').setInputFiles(series);
    await page.getByRole('button', { name: 'Analyse series T1 AX A11Y' }).waitFor({ timeout: 60_000 });
    await axe('series: study list');
    await targets('series: study list');
    await page.getByRole('button', { name: 'Analyse series T1 AX A11Y' }).click();
    await expect.poll(() => page.getByTestId('series-progress').textContent(), { timeout: 120_000 }).toMatch(/^3 of 3 slices/);
    await page.getByRole('article', { name: 'Series verdict' }).waitFor();
    await axe('series: verdict and viewer');
    await targets('series: verdict and viewer');
  });

  it('the report: axe clean, controls ≥ 44 × 44', async () => {
    await page.getByRole('button', { name: /^Report \(3 DICOM slices\)$/ }).click();
    await page.getByRole('dialog', { name: 'BigBrain series report' }).waitFor();
    await axe('report');
    await page.getByRole('checkbox', { name: /patient’s name and ID/ }).check();
    await axe('report with the patient');
    await targets('report', 3); // the app behind it is inert
    await page.getByRole('button', { name: 'Close report' }).click();
  });

  it('dark display by the toggle: kept across a reload, axe clean on the result and the report', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor || getComputedStyle(document.documentElement).backgroundColor);
    const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.getByRole('button', { name: 'Dark display' }).click();
    expect(await page.getByRole('button', { name: 'Dark display' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const dark = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(dark).not.toBe(light);
    expect(await page.getByRole('radio', { name: /Dark/ }).isChecked()).toBe(true);
    report.colours = { light, dark, body: await bg() };
    await axe('dark: DICOM result, series verdict and viewer, history');
    await targets('dark: DICOM result, series verdict and viewer, history');
    await page.screenshot({ path: `${OUT}a11y-dark.png`, fullPage: true });
    await page.getByRole('article', { name: 'Series verdict' }).screenshot({ path: `${OUT}a11y-dark-series.png` });
    await page.getByRole('button', { name: /^Report \(3 DICOM slices\)$/ }).click();
    await axe('dark: report');
    await page.screenshot({ path: `${OUT}report-dark-dialog.png` });
    await page.getByRole('button', { name: 'Close report' }).click();
    await page.reload();
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await axe('dark: main');
  });

  it('"As the device" follows prefers-color-scheme; Light overrides it', async () => {
    await page.getByRole('radio', { name: /As the device/ }).check();
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('radio', { name: /^Light/ }).check();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await axe('light while the device prefers dark');
    await page.getByRole('radio', { name: /As the device/ }).check();
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('landscape 1024 × 768 uses the width: analysis beside history and settings, controls still ≥ 44 px', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    const analyse = await page.locator('section.analyse').boundingBox();
    const history = await page.locator('section.history').boundingBox();
    report.landscape = { analyse, history };
    expect(history!.x).toBeGreaterThanOrEqual(analyse!.x + analyse!.width);
    expect(Math.abs(history!.y - analyse!.y)).toBeLessThan(2);
    await targets('landscape');
    await page.screenshot({ path: `${OUT}a11y-landscape.png` });
    await page.setViewportSize({ width: 768, height: 1024 });
    const a = await page.locator('section.analyse').boundingBox();
    const h = await page.locator('section.history').boundingBox();
    expect(h!.y).toBeGreaterThanOrEqual(a!.y + a!.height);
  });
});

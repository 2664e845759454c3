// The PACS panel end to end in Chromium against the real server (api/server.ts serving dist/ + API) with DICOMWEB_URL
// pointing at a real Orthanc (tests/support/orthanc.ts) holding a 6-slice MR series carrying the fake patient: sign
// in → the PACS panel appears (GET /api/me says pacs) → search by patient name finds the study → its series with
// the slice count → Open series fetches them in one WADO-RS series retrieve through the gateway → the series feature lists
// the study from those files → Analyse → a verdict, computed on the device → Send result to PACS (confirmed) → a
// Basic Text SR stored by STOW-RS through the gateway, which Orthanc's own QIDO-RS then finds in the same study.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { seriesFiles } from '../support/series-fixtures.ts';
import { available } from '../support/skip.ts';
import type { Spawned } from '../support/spawn-server.ts';
import { greyPicture } from './dicom-samples.ts';
import { HAS_BROWSER, signUp, startProductionApp, type ProductionApp } from './harness.ts';

const STUDY = '2.25.81234567891000777';
const SERIES = '2.25.81234567892000777';
const SLICES = 6;

describe.runIf(HAS_BROWSER && available(hasOrthanc, 'Orthanc with its DICOMweb plugin (apt: orthanc, orthanc-dicomweb)'))('the PACS panel: search, open, analyse on the device (Chromium, real Orthanc)', () => {
  let context: BrowserContext;
  let server: Spawned;
  let orthanc: Orthanc;
  let app: ProductionApp | undefined;

  beforeAll(async () => {
    orthanc = await startOrthanc();
    const greys = await Promise.all(Array.from({ length: SLICES }, async (_, k) => ({ grey: (await greyPicture(256, k)).grey, tumour: false })));
    for (const s of seriesFiles({ studyUid: STUDY, seriesUid: SERIES, description: 'T1 AX PACS', seriesNumber: 5, slices: greys })) await orthanc.upload(s.bytes);
    app = await startProductionApp('pacs', { DICOMWEB_URL: orthanc.dicomweb, DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD });
    ({ server, context } = app);
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await orthanc?.dispose();
  });

  it('sign in → PACS panel → search by name → series → Open series (progress) → the study list → Analyse → verdict → Send result → QIDO finds the SR', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const pacsRequests: string[] = [];
    const pacsPosts: string[] = [];
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/api/dicomweb/')) return;
      pacsRequests.push(u.pathname);
      if (r.method() === 'POST') pacsPosts.push(u.pathname);
    });
    await page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/?backend=wasm`);
    const panel = page.getByRole('region', { name: 'PACS' });
    expect(await panel.count()).toBe(0); // signed out: no panel
    await signUp(page, 'pacs-e2e@example.com');
    await panel.waitFor({ timeout: 30_000 });
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });

    await panel.getByLabel('Patient name').fill('DOE');
    await panel.getByRole('button', { name: 'Search' }).click();
    const study = panel.getByRole('list', { name: 'PACS studies' }).getByRole('listitem').first();
    await study.waitFor({ timeout: 30_000 });
    expect(await study.textContent()).toContain('DOE JANE');
    await study.getByRole('button', { name: 'Series' }).click();
    const row = panel.getByRole('list', { name: 'PACS series' }).getByRole('listitem').filter({ hasText: 'T1 AX PACS' });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`${SLICES} slices`);
    await row.getByRole('button', { name: 'Open series' }).click();

    const list = page.getByRole('region', { name: 'Studies' });
    await list.waitFor({ timeout: 60_000 });
    expect(await list.textContent()).toContain('DOE JANE');
    const seriesRow = list.locator('tr[data-series="T1 AX PACS"]');
    expect((await seriesRow.locator('td').allTextContents())[1]).toBe(String(SLICES));
    // one WADO-RS series retrieve (the request the gateway audits), no per-instance ones
    expect(pacsRequests.filter((p) => p === `/api/dicomweb/studies/${STUDY}/series/${SERIES}`)).toHaveLength(1);
    expect(pacsRequests.filter((p) => p.includes('/instances/'))).toEqual([]);

    await page.getByRole('button', { name: 'Analyse series T1 AX PACS' }).click();
    await expect.poll(() => page.getByTestId('series-progress').textContent(), { timeout: 120_000 }).toMatch(new RegExp(`^${SLICES} of ${SLICES} slices .* s$`));
    const verdict = page.getByRole('article', { name: 'Series verdict' });
    const result = await verdict.getByTestId('series-result').textContent();
    console.log(`PACS series of ${SLICES}: ${result} · ${await verdict.getByTestId('series-probability').textContent()}`);
    expect(result).toMatch(/^(Tumor|No Tumor|Uncertain|Outside validated use|Not a brain MRI)/);

    // Send result to PACS: only on the click and the confirmation; a Basic Text SR by STOW-RS into the same study.
    const send = page.getByRole('group', { name: 'Send result to PACS' });
    const big = async (l: ReturnType<typeof page.getByRole>) => { const b = (await l.boundingBox())!; return b.width >= 44 && b.height >= 44; };
    const sendButton = send.getByRole('button', { name: 'Send result to PACS' });
    expect(await big(sendButton)).toBe(true);
    await sendButton.click();
    const confirm = send.getByRole('group', { name: 'Confirm sending to the PACS' });
    await confirm.waitFor();
    expect(await big(confirm.getByRole('button', { name: 'Send to PACS' }))).toBe(true);
    expect(await big(confirm.getByRole('button', { name: 'Cancel' }))).toBe(true);
    expect(await confirm.textContent()).toContain(`Triage verdict: ${result}`);
    expect(pacsPosts).toEqual([]); // nothing sent before the confirmation
    await confirm.getByRole('button', { name: 'Send to PACS' }).click();
    await send.getByTestId('pacs-sent').waitFor({ timeout: 30_000 });
    const srSeries = (await send.getByTestId('pacs-sent-series').textContent())!;
    expect(srSeries).toMatch(/^2\.25\.\d+$/);
    expect(await send.getByTestId('pacs-sent').textContent()).toContain('Orthanc shows it under the study');
    expect(pacsPosts).toEqual([`/api/dicomweb/studies/${STUDY}`]);
    // Orthanc itself (QIDO-RS, not through the gateway): a series of Modality SR in that study, the one the PWA named.
    const qido = await fetch(`${orthanc.dicomweb}/studies/${STUDY}/series?Modality=SR&includefield=0008103E`, { headers: { authorization: orthanc.auth, accept: 'application/dicom+json' } });
    const srRows = (await qido.json()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(srRows.map((r) => [r['0020000E']?.Value?.[0], r['00080060']?.Value?.[0], r['0008103E']?.Value?.[0]])).toEqual([[srSeries, 'SR', 'BigBrain triage (research)']]);
    const inStudy = (await (await fetch(`${orthanc.dicomweb}/studies/${STUDY}/series`, { headers: { authorization: orthanc.auth } })).json()) as unknown[];
    expect(inStudy).toHaveLength(2); // the MR series and the result, one study
    const sr = (await (await fetch(`${orthanc.dicomweb}/studies/${STUDY}/series/${srSeries}/metadata`, { headers: { authorization: orthanc.auth } })).json()) as Array<Record<string, { Value?: unknown[] }>>;
    expect(sr).toHaveLength(1);
    expect(sr[0]!['00080016']?.Value?.[0]).toBe('1.2.840.10008.5.1.4.1.1.88.11');
    expect(sr[0]!['00100020']?.Value?.[0]).toBe(FAKE_PATIENT.patientId);
    const evidence = sr[0]!['0040A375']?.Value?.[0] as Record<string, { Value?: Array<Record<string, { Value?: unknown[] }>> }>;
    expect(evidence['00081115']?.Value?.[0]?.['0020000E']?.Value?.[0]).toBe(SERIES);
  }, 400_000);
});

// Against the real server (api/server.ts serving dist/ + API on one port): sign up, analyse on the
// device and, with consent, on the server (same result; the server runs the int8 build), stop the server, reload and
// analyse offline, restart, and the results sync once; a second user never sees the first one's.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spawned } from '../support/spawn-server.ts';
import { HAS_BROWSER, analyse, signUp, syntheticMri, startProductionApp, type ProductionApp } from './harness.ts';

interface Det { id: string; clientId: string | null; source: string; result: string; tumorProbability: number }
const detections = (page: Page) =>
  page.evaluate(async () => ((await (await fetch('/api/detections?limit=100')).json()) as { items: Det[] }).items) as Promise<Det[]>;

describe.runIf(HAS_BROWSER)('PWA against the real server', () => {
  let context: BrowserContext;
  let server: Spawned;
  let app: ProductionApp | undefined;

  beforeAll(async () => {
    app = await startProductionApp('data');
    ({ server, context } = app);
  }, 240_000);
  afterAll(() => app?.close());

  it('device + consented server analysis, offline, sync without duplicates, two users apart', async () => {
    const base = `http://localhost:${server.port}`;
    // The service worker precaches /index.html; a server that does not serve it breaks offline.
    const shell = await fetch(`${base}/index.html`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toContain('text/html');
    const page = context.pages()[0] ?? (await context.newPage());
    const detectPosts: string[] = [];
    // Only the image-carrying routes: /api/detections (results without images) is not one of them.
    context.on('request', (r) => r.method() === 'POST' && /^\/(api\/)?detect$/.test(new URL(r.url()).pathname) && detectPosts.push(r.url()));
    const csp: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));

    await page.goto(`${base}/?backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await signUp(page, 'ada@example.com');
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    const mri = await syntheticMri();
    expect(await analyse(page, 'scan.png', mri)).toContain('WASM');
    expect(detectPosts).toEqual([]); // no image leaves without consent

    await page.getByRole('row', { name: /scan\.png/ }).getByRole('button', { name: 'Analyse on server' }).click();
    await page.getByRole('status').filter({ hasText: /scan\.png.*Server/ }).waitFor({ timeout: 60_000 });
    expect(detectPosts).toHaveLength(1);

    await expect.poll(async () => (await detections(page)).length, { timeout: 30_000 }).toBe(2);
    const items = await detections(page);
    const device = items.find((d) => d.source === 'device')!;
    const onServer = items.find((d) => d.source === 'server')!;
    // The device runs the fp32 model, the server its int8 build (MODEL_PRECISION's default; models/MODEL_CARD.md):
    // the same result, P(tumour) within a few hundredths (≤ 0.02 on 230 real MRIs, tests/models/int8.test.ts).
    expect(onServer.result).toBe(device.result);
    expect(Math.abs(device.tumorProbability - onServer.tumorProbability)).toBeLessThanOrEqual(0.05);

    // The network really gone: stop the server process, then reload and analyse.
    await server.stop();
    await context.setOffline(true);
    await page.reload();
    await page.getByText('Ready offline').waitFor({ timeout: 60_000 });
    expect(await analyse(page, 'offline.png', await syntheticMri(200))).toContain('WASM');
    await page.getByText(/1 waiting to sync/).waitFor();

    // Back online: synced once, nothing duplicated.
    server = await app!.restart();
    await context.setOffline(false);
    await page.reload();
    await expect.poll(async () => (await detections(page).catch(() => [])).length, { timeout: 60_000 }).toBe(3);
    const after = await detections(page);
    expect(new Set(after.map((d) => d.clientId ?? d.id)).size).toBe(3);
    await page.getByText(/all synced/).waitFor();

    // A second user on the same profile sees none of the first user's history.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signUp(page, 'grace@example.com');
    await page.getByText(/^0 results on this device/).waitFor();
    expect(await detections(page)).toEqual([]);
    await page.reload();
    await page.getByText('Signed in as grace@example.com').waitFor();
    await page.getByText(/^0 results on this device/).waitFor();
    expect(detectPosts).toHaveLength(1);
    expect(csp).toEqual([]);
  }, 400_000);
});

// Model delivery faults in Chromium against the built app (vite preview): a model download cut
// short is resumed with a Range request and says so; a corrupt cached model is discarded, fetched
// again, and the app still reaches "Ready offline".
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILE, MODEL_SHA256 } from '../../models/core/model.ts';
import { RUNTIME_CACHE, RUNTIME_FILES } from '../../web/lib/runtime.ts';
import { HAS_BROWSER, analyse, ensureBuilt, launch, newTabletContext, serveDist, syntheticMri, type Served } from './harness.ts';

/** Flips one byte in the middle of a file in the app's runtime cache, keeping its size and headers. */
const flipCachedByte = (page: Page, file: string) =>
  page.evaluate(async ([name, path]) => {
    const cache = await caches.open(name);
    const res = (await cache.match(`/${path}`))!;
    const bytes = new Uint8Array(await res.arrayBuffer());
    const at = bytes.length >> 1;
    bytes[at] = bytes[at]! ^ 0xff;
    await cache.put(`/${path}`, new Response(bytes, { headers: res.headers }));
  }, [RUNTIME_CACHE, file] as const);

describe.runIf(HAS_BROWSER)('model delivery faults in Chromium', () => {
  let browser: Browser;
  let served: Served;

  beforeAll(async () => {
    await ensureBuilt();
    served = await serveDist();
    browser = await launch();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('resumes a truncated model download with Range and shows the retry', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 768, height: 1024 } });
    const ranges: (string | null)[] = [];
    let cut = 0;
    await context.route(`**/${MODEL_FILE}`, async (route) => {
      ranges.push(route.request().headers()['range'] ?? null);
      if (ranges.length === 1) {
        // The first answer ends early (a dropped connection the browser saw as a complete body).
        const res = await route.fetch();
        const body = await res.body();
        cut = Math.floor(body.length / 3);
        await route.fulfill({ status: 200, headers: { 'content-type': 'application/octet-stream' }, body: body.subarray(0, cut) });
        return;
      }
      await new Promise((r) => setTimeout(r, 1500)); // long enough to read the message
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${served.url}/?backend=wasm`);
    await page.getByText('Download interrupted — retrying (2/3)…').waitFor({ timeout: 60_000 });
    await page.getByTestId('model-ready').waitFor({ timeout: 120_000 });
    expect(ranges).toEqual([null, `bytes=${cut}-`]);
    const sha = await page.evaluate(async ([name, file]) => {
      const res = await (await caches.open(name)).match(`/${file}`);
      const d = await crypto.subtle.digest('SHA-256', await res!.arrayBuffer());
      return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
    }, [RUNTIME_CACHE, MODEL_FILE] as const);
    expect(sha).toBe(MODEL_SHA256);
    await context.close();
  }, 180_000);

  it('discards a corrupt cached model, then a corrupt cached runtime, fetches each again and reaches "Ready offline"', async () => {
    const context = await newTabletContext(browser);
    const page = await context.newPage();
    await page.goto(`${served.url}/?backend=wasm`);
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    const modelGets = () => served.requests.filter((r) => r.url.endsWith(MODEL_FILE)).length;
    const before = modelGets();
    await flipCachedByte(page, MODEL_FILE);
    await page.reload();
    await page.getByTestId('model-note').filter({ hasText: 'corrupt (sha256 mismatch)' }).waitFor({ timeout: 60_000 });
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    expect(modelGets()).toBe(before + 1);

    // The runtime is checked once the engine has started: a corrupt one is discarded, fetched again,
    // and the engine restarts on it.
    const runtime = RUNTIME_FILES.wasm.wasm;
    const runtimeGets = () => served.requests.filter((r) => r.url.endsWith(runtime)).length;
    const runtimeBefore = runtimeGets();
    await flipCachedByte(page, runtime);
    await page.reload();
    await page.getByTestId('model-note').filter({ hasText: `${runtime} was corrupt` }).waitFor({ timeout: 60_000 });
    await expect.poll(runtimeGets, { timeout: 60_000 }).toBe(runtimeBefore + 1);
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    expect(await analyse(page, 'after-repair.png', await syntheticMri())).toContain('WASM');
    await context.close();
  }, 240_000);
});

// The WebGPU path: Chromium with SwiftShader's WebGPU adapter (CPU emulation: its timings say
// nothing about real GPUs; `npm run bench` measures them). The app must fetch only the WebGPU runtime,
// analyse with it and say so.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_BROWSER, WEBGPU_FLAGS, ensureBuilt, serveDist, syntheticMri, tabletProfile, type Served } from './harness.ts';
import { available } from '../support/skip.ts';

describe.runIf(HAS_BROWSER)('WebGPU in Chromium (SwiftShader)', () => {
  let context: BrowserContext;
  let served: Served;
  beforeAll(async () => {
    await ensureBuilt();
    served = await serveDist();
    context = await tabletProfile(WEBGPU_FLAGS);
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await served?.close();
  });

  it('runs the model with WebGPU and says so', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${served.url}/?debug=1`);
    const hasAdapter = await page.evaluate(async () => !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
    if (!available(hasAdapter, 'a WebGPU adapter in Chromium (SwiftShader)')) return;
    await page.getByText('Ready offline').waitFor({ timeout: 180_000 });
    // Only the WebGPU-capable runtime was fetched.
    expect(served.requests.some((r) => r.url === '/ort/ort-wasm-simd-threaded.wasm')).toBe(false);
    expect(served.requests.some((r) => r.url === '/ort/ort-wasm-simd-threaded.asyncify.wasm')).toBe(true);
    await page.getByLabel('MRI image').setInputFiles({ name: 'gpu.png', mimeType: 'image/png', buffer: await syntheticMri() });
    const status = page.getByRole('status').filter({ hasText: 'gpu.png' });
    await status.waitFor({ timeout: 120_000 });
    const text = (await status.textContent()) ?? '';
    console.log('[e2e] WebGPU status:', text);
    expect(text).toContain('WebGPU');
    expect(text).toMatch(/Tumor|No Tumor|Not a brain MRI/);
  }, 300_000);
});

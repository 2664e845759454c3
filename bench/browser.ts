// In headless Chromium, through the PWA's own worker (?debug=1 hook): model-only latency with
// onnxruntime-web WASM on 1 thread and on all threads (cross-origin isolated), WebGPU on SwiftShader,
// and end to end per image (decode → preprocess → inference → result) in the worker.
// Also the first visit's compressed transfer until offline-ready, against the real server.
import { createServer, connect, type AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { HAS_CHROMIUM, WEBGPU_FLAGS, ensureBuilt, launch, newTabletContext, serveDist } from '../tests/e2e/harness.ts';
import { log, QUICK, round, skip, startApi, stats, type Stats } from './lib.ts';

type Hook = {
  __bigbrain: {
    info: { backend: string; threads: number; crossOriginIsolated: boolean };
    bench(runs: number, warmup: number): Promise<number[]>;
    analyse(blob: Blob): Promise<{ ms: number; totalMs?: number; result: string }>;
  };
};

export interface BrowserRun extends Stats {
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
  emulated?: boolean;
}

export interface BrowserResults {
  wasm1?: BrowserRun;
  wasmAll?: BrowserRun;
  webgpu?: BrowserRun;
  /**
   * inference: the model's share (the worker's `ms`); outsideModel: totalMs − ms, image by image — decode + preprocess
   * + interpretation in the worker (the worker reports no separate preprocess time).
   */
  endToEnd?: BrowserRun & { inference: number; outsideModel?: number };
  firstVisit?: { bytesOnWire: number; cdpEncodedBytes: number; requests: number; seconds: number; runtime: string };
}

async function ready(page: Page, url: string): Promise<Hook['__bigbrain']['info'] | null> {
  await page.goto(url);
  await page.getByText('Ready offline').waitFor({ timeout: 180_000 });
  await page.waitForFunction(() => !!(window as unknown as Partial<Hook>).__bigbrain, undefined, { timeout: 120_000 });
  return page.evaluate(() => (window as unknown as Hook).__bigbrain.info);
}

async function modelOnly(page: Page, runs: number, warmup: number): Promise<Stats> {
  const times = await page.evaluate(([r, w]) => (window as unknown as Hook).__bigbrain.bench(r!, w!), [runs, warmup]);
  return stats(times);
}

export async function benchBrowser(images: Array<{ name: string; bytes: Buffer }>): Promise<BrowserResults> {
  const out: BrowserResults = {};
  if (!HAS_CHROMIUM) {
    skip('browser benchmarks', 'no Chromium (set CHROMIUM_PATH)');
    return out;
  }
  log('building the PWA (vite build)');
  await ensureBuilt();
  const served = await serveDist();
  const browser = await launch();
  try {
    for (const [key, threads] of [['wasm1', 1], ['wasmAll', 0]] as const) {
      const ctx = await newTabletContext(browser);
      const page = await ctx.newPage();
      const info = await ready(page, `${served.url}/?backend=wasm&debug=1${threads ? `&threads=${threads}` : ''}`);
      log(`Chromium WASM ×${info?.threads}: model-only latency`);
      out[key] = { ...(await modelOnly(page, QUICK ? 50 : 100, 10)), backend: 'WASM', threads: info!.threads, crossOriginIsolated: info!.crossOriginIsolated };
      if (key === 'wasmAll') {
        log('Chromium worker: end-to-end per image');
        const b64 = images.slice(0, QUICK ? 30 : 60).map((i) => i.bytes.toString('base64'));
        const r = await page.evaluate(async (list) => {
          const hook = (window as unknown as Hook).__bigbrain;
          const res: Array<{ total: number; ms: number }> = [];
          for (let k = 0; k < list.length + 5; k++) {
            const bin = Uint8Array.from(atob(list[k % list.length]!), (c) => c.charCodeAt(0));
            const t = performance.now();
            const a = await hook.analyse(new Blob([bin], { type: 'image/jpeg' }));
            // totalMs is measured in the worker; the wall time adds the message round trip.
            if (k >= 5) res.push({ total: a.totalMs ?? performance.now() - t, ms: a.ms });
          }
          return res;
        }, b64);
        out.endToEnd = { ...stats(r.map((x) => x.total)), inference: stats(r.map((x) => x.ms)).median, outsideModel: stats(r.map((x) => x.total - x.ms)).median, backend: 'WASM', threads: info!.threads, crossOriginIsolated: info!.crossOriginIsolated };
      }
      await ctx.close();
    }
  } finally {
    await browser.close();
  }

  // WebGPU through SwiftShader: CPU emulation, reported but meaningless for real GPUs.
  const gpuBrowser = await launch(WEBGPU_FLAGS);
  try {
    const ctx = await newTabletContext(gpuBrowser);
    const page = await ctx.newPage();
    await page.goto(`${served.url}/?debug=1`);
    const hasAdapter = await page.evaluate(async () => !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
    if (!hasAdapter) skip('WebGPU', 'Chromium offers no WebGPU adapter here');
    else {
      const info = await ready(page, `${served.url}/?debug=1`);
      if (info?.backend !== 'WebGPU') skip('WebGPU', `the app fell back to ${info?.backend}`);
      else {
        log('Chromium WebGPU (SwiftShader): model-only latency');
        out.webgpu = { ...(await modelOnly(page, QUICK ? 10 : 30, 3)), backend: 'WebGPU (SwiftShader)', threads: 1, crossOriginIsolated: info.crossOriginIsolated, emulated: true };
      }
    }
    await ctx.close();
  } catch (err) {
    skip('WebGPU', String(err));
  } finally {
    await gpuBrowser.close();
    await served.close();
  }

  out.firstVisit = await firstVisit();
  return out;
}

/**
 * A fresh browser profile against `npm start`'s server (api/server.ts serving dist/), until the app
 * says it is ready offline. Bytes counted two ways: on the wire by a TCP relay in front of the
 * server (everything: page, worker, service worker, headers), and CDP's encodedDataLength (page + worker).
 */
async function firstVisit(): Promise<BrowserResults['firstVisit']> {
  log('first visit: compressed transfer until offline-ready');
  const api = await startApi();
  let wire = 0;
  const relay = createServer((client) => {
    const port = Number(new URL(api.url).port);
    const upstream = connect({ host: '127.0.0.1', port });
    client.pipe(upstream);
    upstream.on('data', (c: Buffer) => (wire += c.length));
    upstream.pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const url = `http://localhost:${(relay.address() as AddressInfo).port}`;
  const browser = await launch();
  try {
    const ctx = await newTabletContext(browser);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    let cdpBytes = 0, requests = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => { cdpBytes += e.encodedDataLength; requests++; });
    const t = performance.now();
    await page.goto(`${url}/?backend=wasm`);
    await page.getByText('Ready offline').waitFor({ timeout: 180_000 });
    // The service worker's own precache runs in the background: wait until it controls the page.
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller, undefined, { timeout: 60_000 }).catch(() => undefined);
    const seconds = (performance.now() - t) / 1000;
    await page.waitForTimeout(1500); // stragglers still count in the bytes, not in the time
    await ctx.close();
    return { bytesOnWire: wire, cdpEncodedBytes: cdpBytes, requests, seconds: round(seconds, 1)!, runtime: 'wasm (SIMD, threaded)' };
  } finally {
    await browser.close();
    relay.close();
    await api.stop();
  }
}

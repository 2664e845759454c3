// End-to-end harness: Debian's Chromium driven by playwright-core, the built app served by
// `vite preview` (production COOP/COEP headers), synthetic images made with sharp.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { build, preview, type PreviewServer } from 'vite';
import { available } from '../support/skip.ts';
import { startServer, type Spawned } from '../support/spawn-server.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
/** Whether the browser suites run: a visible skip without Chromium, a failure under CI. */
export const HAS_BROWSER = available(HAS_CHROMIUM, `Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

export const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
/** Median, minimum and p90 of timings (ms). */
export function summarise(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { runs: times.length, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], p90: sorted[Math.floor(sorted.length * 0.9)] };
}

export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export async function launch(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_FLAGS, ...extra] });
}

let built: Promise<void> | null = null;
/** Builds dist/web/ once per test process (E2E_NO_BUILD=1 reuses an existing build). */
export function ensureBuilt(): Promise<void> {
  if (process.env.E2E_NO_BUILD && existsSync(`${REPO}dist/web/index.html`)) return Promise.resolve();
  // vitest sets NODE_ENV=test, which would make a development build (no service worker).
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  built ??= build({ configFile: `${REPO}vite.config.ts`, mode: 'production', logLevel: 'warn' })
    .then(() => undefined)
    .finally(() => {
      process.env.NODE_ENV = env;
    });
  return built;
}

export interface RequestLog {
  method: string;
  url: string;
  contentType: string;
  bytes: number;
}

export interface Served {
  url: string;
  requests: RequestLog[];
  close(): Promise<void>;
}

/** `vite preview` of dist/web/ on a free port, logging every request that reaches it. */
export async function serveDist(): Promise<Served> {
  const server: PreviewServer = await preview({
    configFile: `${REPO}vite.config.ts`,
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
    logLevel: 'warn',
  });
  const requests: RequestLog[] = [];
  server.httpServer.prependListener('request', (req) => {
    const entry: RequestLog = { method: req.method ?? '', url: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), bytes: 0 };
    requests.push(entry);
    req.on('data', (c: Buffer) => (entry.bytes += c.length));
  });
  const { port } = server.httpServer.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        (server.httpServer as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.httpServer.close(() => resolve());
      }),
  };
}

/** A grey, MRI-like slice: a textured bright ellipse on black, with a brighter blob. */
export async function syntheticMri(size = 256, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const px = Buffer.alloc(size * size);
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const e = ((x - c) / (size * 0.38)) ** 2 + ((y - c) / (size * 0.45)) ** 2;
      let v = e < 1 ? 90 + 60 * Math.sin(x / 7) * Math.cos(y / 9) + 40 * (1 - e) : 0;
      if ((x - c * 1.2) ** 2 + (y - c * 0.8) ** 2 < (size * 0.08) ** 2) v = 230;
      px[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const img = sharp(px, { raw: { width: size, height: size, channels: 1 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}

/** A colourful non-MRI picture (a gradient with a red square). */
export async function syntheticPhoto(size = 200): Promise<Buffer> {
  const px = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const x = i % size, y = Math.floor(i / size);
    const sq = x > 50 && x < 120 && y > 40 && y < 110;
    px.set(sq ? [220, 30, 30] : [x, 255 - y, (x + y) % 256], 3 * i);
  }
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

/** Picks an image in the app's file input and resolves with the text of its result row once shown. */
export async function analyse(page: Page, name: string, buffer: Buffer, mimeType = 'image/png'): Promise<string> {
  await page.getByLabel('MRI image').setInputFiles({ name, mimeType, buffer });
  const status = page.getByRole('status').filter({ hasText: name });
  await status.waitFor({ timeout: 60_000 });
  return (await status.textContent()) ?? '';
}

/** A real MRI from ../shared (null when the data is absent). */
export function realMri(): string | null {
  const dir = `${REPO}../shared/data/brain-mri/Training/glioma`;
  if (!existsSync(dir)) return null;
  const f = readdirSync(dir).find((n) => /\.(jpe?g|png)$/i.test(n));
  return f ? `${dir}/${f}` : null;
}

/**
 * A real (non-incognito) profile at tablet size: installability needs one, and it is what a
 * clinic tablet has. The profile folder is removed on close.
 */
export async function tabletProfile(extra: string[] = [], landscape = false): Promise<BrowserContext> {
  // '' = a fresh temporary profile that Playwright itself removes once Chromium has exited.
  return chromium.launchPersistentContext('', {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_FLAGS, ...extra],
    viewport: landscape ? { width: 1024, height: 768 } : { width: 768, height: 1024 },
    hasTouch: true,
    deviceScaleFactor: 1,
  });
}

/**
 * The built PWA served as `npm run preview` serves it, opened in a fresh tablet profile and waited on until "Ready
 * offline" (with `controlled`, also until its service worker controls the page).
 */
export async function openOfflineReady(query = '?backend=wasm', { controlled = false } = {}): Promise<{ served: Served; context: BrowserContext; page: Page }> {
  await ensureBuilt();
  const served = await serveDist();
  const context = await tabletProfile();
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${served.url}/${query}`);
  await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
  if (controlled) await page.waitForFunction(() => !!navigator.serviceWorker?.controller, undefined, { timeout: 60_000 });
  return { served, context, page };
}

export async function newTabletContext(browser: Browser, landscape = false): Promise<BrowserContext> {
  return browser.newContext({
    viewport: landscape ? { width: 1024, height: 768 } : { width: 768, height: 1024 },
    hasTouch: true,
    deviceScaleFactor: 1,
  });
}

/** A TCP relay to `port` that keeps every byte the client sends. */
export async function relayTo(port: number): Promise<{ url: string; sent: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const relay: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port });
    client.on('data', (c: Buffer) => chunks.push(c));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  return { url: `http://localhost:${(relay.address() as AddressInfo).port}`, sent: () => Buffer.concat(chunks), close: () => relay.close() };
}

/** Creates an account in the app's sign-in form and waits until it says so. */
export async function signUp(page: Page, email: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText(`Signed in as ${email}`).waitFor();
}

export interface ProductionApp {
  server: Spawned;
  context: BrowserContext;
  /** Starts the server again on its own port and data folder (after a test stopped it). */
  restart(): Promise<Spawned>;
  /** Closes the profile, stops the server and removes its data folder. */
  close(): Promise<void>;
}

/**
 * The real server (api/server.ts, production mode, serving the built PWA) on a free port with a throw-away PGlite
 * folder, and a fresh tablet profile.
 */
export async function startProductionApp(name: string, env: Record<string, string> = {}): Promise<ProductionApp> {
  await ensureBuilt();
  const dataDir = mkdtempSync(`${tmpdir()}/bigbrain-e2e-${name}-`);
  const start = (port: number) => startServer({ PORT: String(port), BIGBRAIN_DATA_DIR: dataDir, NODE_ENV: 'production', ...env }, REPO);
  const app: ProductionApp = {
    server: await start(0),
    context: await tabletProfile(),
    restart: async () => (app.server = await start(app.server.port)),
    close: async () => {
      await app.context.close();
      await app.server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import card from './models/card.json' with { type: 'json' };
import { precompressDir } from './api/precompress.ts';
import { WASM_CODECS, codecAssetPath, type WasmCodec } from './models/core/dicom/wasm-codecs.ts';
import { codecWasmPath } from './models/node/dicom-wasm.ts';

// Build config of the PWA (web/ → dist/web/) and the test runner config for the whole repository.

const repo = fileURLToPath(new URL('.', import.meta.url));
const ortDist = `${repo}node_modules/onnxruntime-web/dist/`;

/** The two onnxruntime-web runtimes the app serves; a device downloads and caches only one. */
export const ORT_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
] as const;

/** Size and sha256 of each file the app downloads itself (progress bars and integrity checks). */
function assetFacts(): Record<string, { bytes: number; sha256: string | null }> {
  const facts: Record<string, { bytes: number; sha256: string | null }> = {};
  for (const f of ORT_FILES) {
    const path = ortDist + f;
    if (!existsSync(path)) continue;
    const buf = readFileSync(path);
    facts[`ort/${f}`] = { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  }
  const model = `${repo}public/${card.file}`;
  facts[card.file] = { bytes: existsSync(model) ? statSync(model).size : 0, sha256: card.sha256 };
  for (const codec of CODECS) {
    const buf = readFileSync(codecWasmPath(codec));
    facts[codecAssetPath(codec)] = { bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  }
  return facts;
}

/** The DICOM reader's WASM codecs: fetched by the app only when a DICOM needs one (web/lib/codec-assets.ts). */
const CODECS = Object.keys(WASM_CODECS) as WasmCodec[];

/**
 * The worker's dynamic imports that only a DICOM needs: the reader (with its parsers) and each codec's Emscripten
 * glue. By the chunk's own module only, so a chunk the worker imports statically (shared code) always stays precached.
 */
const isDicomImport = (id: string | null) => !!id && /\/web\/workers\/dicom-frames\.ts$|\/node_modules\/@cornerstonejs\/codec-[\w-]+\/dist\/\w+\.js$/.test(id);

const MIME: Record<string, string> = { mjs: 'text/javascript', wasm: 'application/wasm' };

/** Serves the ORT runtimes at /ort/ in dev, and copies them into dist/web/ort/ at build. */
function ortRuntime(): Plugin {
  return {
    name: 'bigbrain-ort-runtime',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/ort\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
        const name = m?.[1];
        if (!name || !(ORT_FILES as readonly string[]).includes(name)) return next();
        res.setHeader('Content-Type', MIME[name.split('.').pop() ?? ''] ?? 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.end(readFileSync(ortDist + name));
      });
    },
    generateBundle() {
      for (const f of ORT_FILES) {
        this.emitFile({ type: 'asset', fileName: `ort/${f}`, source: readFileSync(ortDist + f) });
      }
    },
  };
}

/** Serves the DICOM codecs' WASM at /codecs/<codec>.wasm in dev, and copies them into dist/web/codecs/ at build. */
function dicomCodecs(): Plugin {
  return {
    name: 'bigbrain-dicom-codecs',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = ((req.url ?? '').split('?')[0] ?? '').slice(1);
        const codec = CODECS.find((c) => codecAssetPath(c) === path);
        if (!codec) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.end(readFileSync(codecWasmPath(codec)));
      });
    },
    generateBundle() {
      for (const codec of CODECS) this.emitFile({ type: 'asset', fileName: codecAssetPath(codec), source: readFileSync(codecWasmPath(codec)) });
    },
  };
}

/** After the build (service worker included): file.br and file.gz beside each compressible file. */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'bigbrain-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      await precompressDir(outDir, `${repo}node_modules/.cache/bigbrain-precompress`);
    },
  };
}

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  root: `${repo}web`,
  publicDir: `${repo}public`,
  build: { outDir: `${repo}dist/web`, emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  define: { __ASSET_FACTS__: JSON.stringify(assetFacts()) },
  resolve: {
    // The non-bundled ORT builds: they load their .mjs/.wasm from env.wasm.wasmPaths (files we
    // serve and cache ourselves) instead of making the bundler emit every runtime.
    alias: [
      { find: /^onnxruntime-web\/wasm$/, replacement: `${ortDist}ort.wasm.min.mjs` },
      { find: /^onnxruntime-web\/webgpu$/, replacement: `${ortDist}ort.webgpu.min.mjs` },
    ],
  },
  worker: {
    format: 'es',
    rolldownOptions: {
      // DICOM-only code (the reader, the codecs' glue) goes to dicom/, which the service worker does not precache:
      // the app caches it on first need (web/lib/codec-assets.ts), so a user who opens no DICOM never downloads it.
      output: { chunkFileNames: (chunk) => (isDicomImport(chunk.facadeModuleId) ? 'dicom/[name]-[hash].js' : 'assets/[name]-[hash].js') },
    },
  },
  server: { headers: isolationHeaders, proxy: proxyToApi() },
  preview: { headers: isolationHeaders, proxy: proxyToApi() },
  plugins: [
    react(),
    ortRuntime(),
    dicomCodecs(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: '.',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false, // web/manifest.webmanifest is a real file, linked from index.html
      injectManifest: {
        // The app shell only: never the model nor the ORT runtimes (the app downloads those itself).
        globPatterns: ['**/*.{js,css,html,png,svg,ico,webmanifest}'],
        globIgnores: ['ort/**', 'models/**', 'dicom/**', 'codecs/**', '**/*.onnx', '**/*.wasm'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
    precompress(),
  ],
  test: {
    root: repo,
    dir: repo,
    include: ['tests/**/*.test.{ts,tsx}', 'models/**/*.test.ts', 'api/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
    // Tests that import onnxruntime-node directly: its telemetry off, as models/node/classifier.ts does.
    env: { ORT_DISABLE_TELEMETRY: '1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

/** In dev/preview, API calls go to the API server when BIGBRAIN_API is set (e.g. http://localhost:8787). */
function proxyToApi() {
  const target = process.env.BIGBRAIN_API;
  if (!target) return undefined;
  const routes = ['/authorization', '/detect', '/api'];
  return Object.fromEntries(routes.map((r) => [r, { target, changeOrigin: true }]));
}

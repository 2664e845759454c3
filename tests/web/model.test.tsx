// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MODEL_INFO } from '../../models/core/model.ts';
import { ensureAssets, IntegrityError, ModelStatus } from '../../web/features/model/index.ts';
import type { Progress } from '../../web/features/model/delivery.ts';
import { RUNTIME_CACHE, assetsFor } from '../../web/lib/runtime.ts';
import { FakeCache } from './fixtures.ts';

afterEach(cleanup);


function deps(files: Record<string, Uint8Array>) {
  const cache = new FakeCache();
  const fetched: string[] = [];
  const fetchImpl = (async (url: string) => {
    fetched.push(url);
    const body = files[new URL(url).pathname.slice(1)];
    if (!body) return new Response('missing', { status: 404 });
    // Stream in small chunks so progress is reported more than once.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < body.length; i += 4) c.enqueue(body.slice(i, i + 4));
        c.close();
      },
    });
    return new Response(stream, { headers: { 'Content-Type': 'application/octet-stream' } });
  }) as typeof fetch;
  const caches = { open: async (name: string) => (name === RUNTIME_CACHE ? cache : new FakeCache()) } as unknown as CacheStorage;
  return { cache, fetched, deps: { fetch: fetchImpl, caches, origin: 'http://localhost' } };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('model delivery', () => {
  const model = new Uint8Array(40).fill(7);
  const mjs = new Uint8Array(12).fill(1);
  const wasm = new Uint8Array(20).fill(2);
  const assets = [
    { path: 'models/m.onnx', bytes: 40, sha256: sha(model), checkBeforeStart: true },
    { path: 'ort/a.mjs', bytes: 12, sha256: null },
    { path: 'ort/a.wasm', bytes: 20, sha256: sha(wasm) },
  ];

  it('streams with progress, verifies sha256, caches, and removes stale files', async () => {
    const d = deps({ 'models/m.onnx': model, 'ort/a.mjs': mjs, 'ort/a.wasm': wasm });
    await d.cache.put('http://localhost/models/old.onnx', new Response('old'));
    const progress: Progress[] = [];
    const r = await ensureAssets(assets, (p) => progress.push(p), d.deps);
    expect(r.downloaded).toBe(72);
    expect(progress.length).toBeGreaterThan(5);
    expect(progress.at(-1)).toMatchObject({ loaded: 72, total: 72 });
    expect([...d.cache.store.keys()].sort()).toEqual(['http://localhost/models/m.onnx', 'http://localhost/ort/a.mjs', 'http://localhost/ort/a.wasm']);
    expect((await d.cache.match('http://localhost/ort/a.mjs'))!.headers.get('Content-Type')).toBe('text/javascript');
    // Second run: everything from the cache, nothing fetched.
    d.fetched.length = 0;
    expect((await ensureAssets(assets, () => {}, d.deps)).downloaded).toBe(0);
    expect(d.fetched).toEqual([]);
  });

  it('rejects a model whose sha256 differs from the card and caches nothing of it', async () => {
    const d = deps({ 'models/m.onnx': new Uint8Array(40).fill(9), 'ort/a.mjs': mjs, 'ort/a.wasm': wasm });
    await expect(ensureAssets(assets, () => {}, d.deps)).rejects.toBeInstanceOf(IntegrityError);
    expect(d.cache.store.has('http://localhost/models/m.onnx')).toBe(false);
  });

  it('asks for the model and exactly one runtime per device kind', () => {
    expect(assetsFor('wasm').map((a) => a.path)).toEqual([expect.stringMatching(/\.onnx$/), 'ort/ort-wasm-simd-threaded.mjs', 'ort/ort-wasm-simd-threaded.wasm']);
    expect(assetsFor('webgpu').map((a) => a.path).slice(1)).toEqual(['ort/ort-wasm-simd-threaded.asyncify.mjs', 'ort/ort-wasm-simd-threaded.asyncify.wasm']);
    expect(assetsFor('wasm')[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Only the model is hashed before every start; the runtime after the engine has started.
    expect(assetsFor('webgpu').map((a) => a.checkBeforeStart === true)).toEqual([true, false, false]);
  });
});

describe('ModelStatus', () => {
  it('shows download progress, then "Ready offline" with the model version', () => {
    const { rerender } = render(<ModelStatus progress={{ loaded: 2e6, total: 4e6, file: 'x' }} cached={false} swActive={false} error={null} unsupported={null} backend={null} />);
    expect((screen.getByRole('progressbar') as HTMLProgressElement).value).toBe(50);
    rerender(<ModelStatus progress={null} cached swActive error={null} unsupported={null} backend="WASM ×2" />);
    expect(screen.getByText(/Ready offline/).textContent).toContain(MODEL_INFO.version);
  });
});

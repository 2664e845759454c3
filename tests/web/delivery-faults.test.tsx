// @vitest-environment jsdom
// Model delivery under faults: a download cut mid-stream resumes with Range; 5xx is retried with
// backoff; the UI says so; a final failure offers "Try again"; a corrupt cached copy is refetched.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { download, DownloadError, ensureAssets, ModelStatus, verifyCached, type RetryInfo } from '../../web/features/model/index.ts';
import { RUNTIME_CACHE } from '../../web/lib/runtime.ts';
import { FakeCache } from './fixtures.ts';

afterEach(cleanup);

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const noWait = { sleep: async () => {}, backoffMs: (n: number) => 100 * 2 ** (n - 2) };

/** A body that delivers `bytes` in 100-byte chunks and then fails (a dropped connection) if `cutAt` is set. */
function body(bytes: Uint8Array, cutAt?: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      const stop = cutAt ?? bytes.length;
      if (at >= stop) {
        if (cutAt !== undefined) c.error(new TypeError('network error'));
        else c.close();
        return;
      }
      const n = Math.min(100, stop - at);
      c.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

type Step = (range: string | null) => Response | Promise<Response>;
/** A fetch that plays one step per call and records each call's Range header. */
function scripted(steps: Step[]) {
  const ranges: (string | null)[] = [];
  const fn = vi.fn(async (_url: string, init?: RequestInit) => {
    const range = (init?.headers as Record<string, string> | undefined)?.Range ?? null;
    ranges.push(range);
    const step = steps.shift();
    if (!step) throw new Error('unexpected fetch');
    return step(range);
  });
  return { fetch: fn as unknown as typeof fetch, ranges, calls: fn };
}

const file = new Uint8Array(1000).map((_, i) => (i * 13) % 256);
const partial = (from: number) =>
  new Response(body(file.slice(from)), { status: 206, headers: { 'Content-Range': `bytes ${from}-${file.length - 1}/${file.length}` } });

describe('download: retry and resume', () => {
  it('resumes a body cut mid-stream with a Range request from the bytes received', async () => {
    const f = scripted([() => new Response(body(file, 300)), () => partial(300)]);
    const retries: RetryInfo[] = [];
    const seen: number[] = [];
    const out = await download('http://x/m.onnx', 'm.onnx', file.length, f.fetch, (g) => seen.push(g), { ...noWait, onRetry: (r) => retries.push(r) });
    expect(f.ranges).toEqual([null, 'bytes=300-']);
    expect(sha(out)).toBe(sha(file));
    expect(retries).toEqual([{ file: 'm.onnx', attempt: 2, of: 3, reason: 'network error' }]);
    expect(seen.at(-1)).toBe(1000);
  });

  it('treats a body that ends early as truncated and resumes it', async () => {
    const f = scripted([() => new Response(file.slice(0, 600)), () => partial(600)]);
    const out = await download('http://x/m.onnx', 'm.onnx', file.length, f.fetch, () => {}, noWait);
    expect(f.ranges).toEqual([null, 'bytes=600-']);
    expect(sha(out)).toBe(sha(file));
  });

  it('retries 5xx and network failures with growing backoff, then starts over when Range is ignored', async () => {
    const waits: number[] = [];
    const f = scripted([
      () => new Response(body(file, 200)),
      () => new Response('busy', { status: 503 }),
      () => new Response(body(file)), // 200: the server ignored Range
    ]);
    const seen: number[] = [];
    const out = await download('http://x/m.onnx', 'm.onnx', file.length, f.fetch, (g) => seen.push(g), {
      attempts: 3,
      backoffMs: (n) => 100 * 2 ** (n - 2),
      sleep: async (ms) => void waits.push(ms),
    });
    expect(f.ranges).toEqual([null, 'bytes=200-', 'bytes=200-']);
    expect(waits).toEqual([100, 200]);
    expect(seen).toContain(0); // progress went back to the start
    expect(sha(out)).toBe(sha(file));
  });

  it('gives up after the last attempt with a clear error, and at once on a 404', async () => {
    const f = scripted([() => Promise.reject(new TypeError('Failed to fetch')), () => new Response('x', { status: 502 }), () => new Response('x', { status: 500 })]);
    await expect(download('http://x/m.onnx', 'models/m.onnx', 0, f.fetch, () => {}, noWait)).rejects.toThrow(
      'Could not download models/m.onnx after 3 attempts (HTTP 500).',
    );
    const g = scripted([() => new Response('gone', { status: 404 })]);
    const err = await download('http://x/m.onnx', 'models/m.onnx', 0, g.fetch, () => {}, noWait).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).retryable).toBe(false);
    expect(g.calls).toHaveBeenCalledTimes(1);
  });

  it('refuses a 206 that does not continue where it stopped', async () => {
    const f = scripted([
      () => new Response(body(file, 300)),
      () => new Response(body(file.slice(100)), { status: 206, headers: { 'Content-Range': 'bytes 100-999/1000' } }),
      () => partial(300),
    ]);
    const out = await download('http://x/m.onnx', 'm.onnx', file.length, f.fetch, () => {}, noWait);
    expect(f.ranges).toEqual([null, 'bytes=300-', 'bytes=300-']);
    expect(sha(out)).toBe(sha(file));
  });
});

const cachesOf = (cache: FakeCache) => ({ open: async (n: string) => (n === RUNTIME_CACHE ? cache : new FakeCache()) }) as unknown as CacheStorage;

describe('ensureAssets under faults', () => {
  const asset = { path: 'models/m.onnx', bytes: file.length, sha256: sha(file), checkBeforeStart: true };

  it('caches the verified bytes of a download resumed after a cut', async () => {
    const cache = new FakeCache();
    const f = scripted([() => new Response(body(file, 500)), () => partial(500)]);
    const retries: RetryInfo[] = [];
    const r = await ensureAssets([asset], () => {}, { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' }, { ...noWait, onRetry: (x) => retries.push(x) });
    expect(r.downloaded).toBe(1000);
    expect(f.ranges).toEqual([null, 'bytes=500-']);
    expect(retries).toHaveLength(1);
    const cached = new Uint8Array(await (await cache.match('http://localhost/models/m.onnx'))!.arrayBuffer());
    expect(sha(cached)).toBe(asset.sha256);
  });

  it('downloads whole once more when a resumed file fails its sha256 (the file changed meanwhile)', async () => {
    const cache = new FakeCache();
    const other = file.map((b) => b ^ 1);
    const f = scripted([
      () => new Response(body(file, 500)),
      () => new Response(body(other.slice(500)), { status: 206, headers: { 'Content-Range': 'bytes 500-999/1000' } }),
      () => new Response(body(file)),
    ]);
    await ensureAssets([asset], () => {}, { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' }, noWait);
    expect(f.ranges).toEqual([null, 'bytes=500-', null]);
    expect(cache.store.has('http://localhost/models/m.onnx')).toBe(true);
  });

  it('discards a corrupt cached model (sha256 mismatch), fetches it again and says so', async () => {
    const cache = new FakeCache();
    const flipped = file.slice();
    flipped[123] = 255 - file[123]!;
    await cache.put('http://localhost/models/m.onnx', new Response(flipped));
    const f = scripted([() => new Response(body(file))]);
    const notes: string[] = [];
    const r = await ensureAssets([asset], () => {}, { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' }, { onNote: (n) => notes.push(n) });
    expect(r.downloaded).toBe(1000);
    expect(f.calls).toHaveBeenCalledTimes(1);
    expect(notes).toEqual([expect.stringMatching(/cached copy of models\/m\.onnx was corrupt \(sha256 mismatch\)/)]);
    const cached = new Uint8Array(await (await cache.match('http://localhost/models/m.onnx'))!.arrayBuffer());
    expect(sha(cached)).toBe(asset.sha256);
    // An intact cached copy is used as is.
    expect((await ensureAssets([asset], () => {}, { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' })).downloaded).toBe(0);
  });
});

describe('cached runtime: checked after start', () => {
  const model = { path: 'models/m.onnx', bytes: file.length, sha256: sha(file), checkBeforeStart: true };
  const runtime = { path: 'ort/r.wasm', bytes: file.length, sha256: sha(file) };
  const cachedAs = (bytes: Uint8Array) => new Response(bytes.slice(), { headers: { 'Content-Length': String(bytes.length) } });

  it('takes an intact-sized cached runtime at start unread, then verifyCached discards it if corrupt and delivery fetches it again', async () => {
    const cache = new FakeCache();
    const flipped = file.slice();
    flipped[700] = 255 - file[700]!;
    await cache.put('http://localhost/models/m.onnx', cachedAs(file));
    await cache.put('http://localhost/ort/r.wasm', cachedAs(flipped));
    const f = scripted([() => new Response(body(file))]);
    const deps = { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' };

    const start = await ensureAssets([model, runtime], () => {}, deps);
    expect(start).toEqual({ downloaded: 0, unchecked: [runtime] });
    expect(f.calls).not.toHaveBeenCalled();

    const notes: string[] = [];
    expect(await verifyCached(start.unchecked, deps, (n) => notes.push(n))).toBe(1);
    expect(notes).toEqual([expect.stringMatching(/cached copy of ort\/r\.wasm was corrupt \(sha256 mismatch\)/)]);
    expect(cache.store.has('http://localhost/ort/r.wasm')).toBe(false);

    const again = await ensureAssets([model, runtime], () => {}, deps);
    expect(again).toEqual({ downloaded: 1000, unchecked: [] });
    expect(sha(new Uint8Array(await (await cache.match('http://localhost/ort/r.wasm'))!.arrayBuffer()))).toBe(runtime.sha256);
    // Intact now: the next start's check finds nothing to discard.
    expect(await verifyCached([runtime], deps)).toBe(0);
  });

  it('downloads at start a cached runtime of the wrong size', async () => {
    const cache = new FakeCache();
    await cache.put('http://localhost/ort/r.wasm', cachedAs(file.slice(0, 600)));
    const f = scripted([() => new Response(body(file))]);
    const r = await ensureAssets([runtime], () => {}, { fetch: f.fetch, caches: cachesOf(cache), origin: 'http://localhost' });
    expect(r).toEqual({ downloaded: 1000, unchecked: [] });
  });
});

describe('ModelStatus under faults', () => {
  const base = { cached: false, swActive: false, unsupported: null, backend: null };
  it('says the download was interrupted and is being retried', () => {
    render(<ModelStatus {...base} progress={{ loaded: 3e5, total: 1e6, file: 'm' }} error={null} retry={{ file: 'm', attempt: 2, of: 3, reason: 'network error' }} />);
    expect(screen.getByTestId('model-retry').textContent).toBe('Download interrupted — retrying (2/3)…');
  });

  it('shows the final error with "Try again"', () => {
    const onRetry = vi.fn();
    render(<ModelStatus {...base} progress={null} error="Could not download models/m.onnx after 3 attempts (HTTP 503)." onRetry={onRetry} />);
    expect(screen.getByRole('alert').textContent).toContain('after 3 attempts');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('keeps the corrupt-cache note visible once ready', () => {
    render(<ModelStatus {...base} cached swActive progress={null} error={null} note="The cached copy of models/m.onnx was corrupt (sha256 mismatch); it was discarded and downloaded again." />);
    expect(screen.getByTestId('model-ready').textContent).toContain('Ready offline');
    expect(screen.getByTestId('model-note').textContent).toMatch(/corrupt/);
  });
});

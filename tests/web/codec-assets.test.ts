// The browser's WasmSource for the DICOM codecs (web/lib/codec-assets.ts): a codec is fetched only when asked for,
// once, checked against the build's sha256 and kept in its own cache; offline it fails with a message naming the
// decoder; a corrupt download is refused and a corrupt cached copy fetched again; "Prepare" fetches all four.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { codecAssetPath, type WasmCodec } from '../../models/core/dicom/index.ts';
import { codecWasmPath } from '../../models/node/dicom-wasm.ts';
import { CODEC_CACHE, CODECS, CodecError, cachedCodecs, codecAsset, codecBytes, codecWasm, prepareCodecs, type CodecDeps } from '../../web/lib/codec-assets.ts';
import { RUNTIME_CACHE } from '../../web/lib/runtime.ts';
import { FakeCache } from './fixtures.ts';

const real = (codec: WasmCodec) => new Uint8Array(readFileSync(codecWasmPath(codec)));

let n = 0;
/** A fresh origin each time: the module remembers which cached URLs it already hashed. */
function setup(serve: (codec: WasmCodec) => Response | Promise<Response> = (c) => new Response(real(c))) {
  const buckets = new Map<string, FakeCache>();
  const origin = `http://device-${++n}.test`;
  const fetch = vi.fn(async (url: string) => {
    const codec = CODECS.find((c) => url === `${origin}/${codecAssetPath(c)}`);
    if (!codec) throw new Error(`unexpected fetch ${url}`);
    return serve(codec);
  });
  const caches = { open: async (name: string) => buckets.get(name) ?? buckets.set(name, new FakeCache()).get(name)! } as unknown as CacheStorage;
  const deps: CodecDeps = { fetch: fetch as unknown as typeof globalThis.fetch, caches, origin };
  return { deps, fetch, bucket: (name: string) => buckets.get(name), origin };
}

describe('DICOM codecs in the browser', () => {
  it('knows each codec’s size and sha256 from the build (the four files, ~1 MB)', () => {
    for (const c of CODECS) {
      const a = codecAsset(c);
      expect(a.path).toBe(`codecs/${c}.wasm`);
      expect(a.bytes).toBe(real(c).length);
      expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(codecBytes()).toBeGreaterThan(900_000);
    expect(codecBytes()).toBeLessThan(1_500_000);
  });

  it('fetches only the codec asked for, once, and keeps it in its own cache', async () => {
    const { deps, fetch, bucket, origin } = setup();
    expect(fetch).not.toHaveBeenCalled();
    const bytes = await codecWasm('charls', deps);
    expect(bytes).toEqual(real('charls'));
    expect(await codecWasm('charls', deps)).toEqual(real('charls'));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]![0]).toBe(`${origin}/codecs/charls.wasm`);
    expect(await cachedCodecs(deps)).toEqual(['charls']);
    expect(bucket(CODEC_CACHE)?.store.size).toBe(1);
    expect(bucket(RUNTIME_CACHE)).toBeUndefined(); // the model's bucket drops what it does not list
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it('offline and never fetched: a clear error naming the decoder to fetch once online', async () => {
    const { deps } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const err = await codecWasm('openjpeg', deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe('codec_unavailable');
    expect((err as Error).message).toContain('JPEG 2000 decoder (OpenJPEG)');
    expect((err as Error).message).toMatch(/Connect to the network once.*Prepare DICOM decoders for offline use/);
  });

  it('refuses a download that fails its sha256, and keeps nothing', async () => {
    const { deps, bucket } = setup((c) => {
      const b = real(c);
      b[1000]! ^= 0xff;
      return new Response(b);
    });
    const err = await codecWasm('libjpeg-turbo', deps).catch((e: unknown) => e);
    expect((err as CodecError).code).toBe('codec_integrity');
    expect(bucket(CODEC_CACHE)?.store.size).toBe(0);
  });

  it('a corrupt cached copy is discarded and fetched again', async () => {
    const { deps, fetch, bucket, origin } = setup();
    const bad = real('openjph');
    bad[5]! ^= 1;
    await (await deps.caches.open(CODEC_CACHE)).put(`${origin}/codecs/openjph.wasm`, new Response(bad));
    expect(await codecWasm('openjph', deps)).toEqual(real('openjph'));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Uint8Array(await (await bucket(CODEC_CACHE)!.match(`${origin}/codecs/openjph.wasm`))!.arrayBuffer())).toEqual(real('openjph'));
  });

  it('prepares all four with progress over the whole, and nothing again once they are there', async () => {
    const { deps, fetch } = setup();
    const seen: number[] = [];
    const downloaded = await prepareCodecs((p) => seen.push(p.loaded / p.total), deps);
    expect(downloaded).toBe(codecBytes());
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
    expect((await cachedCodecs(deps)).sort()).toEqual([...CODECS].sort());
    expect(await prepareCodecs(() => {}, deps)).toBe(0);
    expect(fetch).toHaveBeenCalledTimes(4);
  });
});

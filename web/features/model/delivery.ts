// Downloads the model and this device's ORT runtime with streamed progress (retried and resumed
// when interrupted: download.ts), checks their sha256 — also of the cached copies on each start,
// discarding a corrupt one — and stores them in Cache Storage, where the worker and the SW read them.
import { sha256Hex } from '../../lib/id.ts';
import { RUNTIME_CACHE, assetUrl, type Asset } from '../../lib/runtime.ts';
import { download, type DownloadOptions } from './download.ts';

export interface Progress {
  loaded: number;
  total: number;
  file: string;
}

export class IntegrityError extends Error {
  constructor(path: string, expected: string, actual: string) {
    super(`${path} failed its integrity check (sha256 ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…).`);
    this.name = 'IntegrityError';
  }
}

const MIME: Record<string, string> = { mjs: 'text/javascript', wasm: 'application/wasm', onnx: 'application/octet-stream' };

export interface DeliveryDeps {
  fetch: typeof fetch;
  caches: CacheStorage;
  origin: string;
}

const defaultDeps = (): DeliveryDeps => ({ fetch: (...a) => fetch(...a), caches, origin: self.location.origin });

export interface EnsureOptions extends DownloadOptions {
  /** A notice for the user (e.g. a corrupt cached file was discarded). */
  onNote?: (note: string) => void;
}

/** The cached copy of an asset when it is intact; a corrupt one is deleted (and reported) instead. */
async function cachedIntact(cache: Cache, url: string, asset: Asset, onNote: (n: string) => void): Promise<boolean> {
  const hit = await cache.match(url);
  if (!hit) return false;
  if (!asset.sha256) return true;
  const actual = await sha256Hex(new Uint8Array(await hit.arrayBuffer()));
  if (actual === asset.sha256) return true;
  await cache.delete(url);
  onNote(`The cached copy of ${asset.path} was corrupt (sha256 mismatch); it was discarded and downloaded again.`);
  return false;
}

/** Ensures every asset is cached and verified; removes cached files no longer wanted. */
export async function ensureAssets(
  assets: Asset[],
  onProgress: (p: Progress) => void = () => {},
  deps: DeliveryDeps = defaultDeps(),
  opts: EnsureOptions = {},
): Promise<{ downloaded: number }> {
  const cache = await deps.caches.open(RUNTIME_CACHE);
  const total = assets.reduce((s, a) => s + a.bytes, 0);
  let done = 0;
  let downloaded = 0;
  for (const asset of assets) {
    const url = assetUrl(asset.path, deps.origin);
    if (await cachedIntact(cache, url, asset, opts.onNote ?? (() => {}))) {
      done += asset.bytes;
      onProgress({ loaded: done, total, file: asset.path });
      continue;
    }
    let retried = false;
    const fetchOnce = () =>
      download(
        url,
        asset.path,
        asset.bytes,
        deps.fetch,
        (got) => onProgress({ loaded: done + Math.min(got, asset.bytes || got), total: Math.max(total, done + got), file: asset.path }),
        { ...opts, onRetry: (r) => ((retried = true), opts.onRetry?.(r)) },
      );
    let body = await fetchOnce();
    if (asset.sha256) {
      let actual = await sha256Hex(body);
      // A resumed download can splice two versions of a file: one clean download settles it.
      if (actual !== asset.sha256 && retried) {
        retried = false;
        body = await fetchOnce();
        actual = await sha256Hex(body);
      }
      if (actual !== asset.sha256) throw new IntegrityError(asset.path, asset.sha256, actual);
    }
    const got = body.length;
    const ext = asset.path.split('.').pop() ?? '';
    await cache.put(
      url,
      new Response(body, {
        headers: {
          'Content-Type': MIME[ext] ?? 'application/octet-stream',
          'Content-Length': String(got),
          'Cross-Origin-Resource-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
      }),
    );
    done += asset.bytes || got;
    downloaded += got;
    onProgress({ loaded: done, total: Math.max(total, done), file: asset.path });
  }
  const wanted = new Set(assets.map((a) => assetUrl(a.path, deps.origin)));
  for (const req of await cache.keys()) if (!wanted.has(req.url)) await cache.delete(req);
  return { downloaded };
}

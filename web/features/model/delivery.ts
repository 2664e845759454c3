// Downloads the model and this device's ORT runtime with streamed progress (retried and resumed
// when interrupted: download.ts), checks their sha256 and stores them in Cache Storage, where the
// worker and the SW read them. Cached copies are checked again, a corrupt one discarded: the model
// before every start, the runtime (14–27 MB) once the engine has started (verifyCached), off the
// path to "Ready".
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

// Reading and hashing a cached runtime takes ~0.3–0.5 s on a desktop, more on a tablet: at start it
// only has to be there at its full size (asset.checkBeforeStart unset).
async function cachedFullSize(cache: Cache, url: string, asset: Asset): Promise<boolean> {
  const hit = await cache.match(url);
  if (!hit) return false;
  return !asset.bytes || hit.headers.get('Content-Length') === String(asset.bytes);
}

/** Re-checks cached copies byte for byte (after start); discards a corrupt one. Returns how many were. */
export async function verifyCached(assets: Asset[], deps: DeliveryDeps = defaultDeps(), onNote: (n: string) => void = () => {}): Promise<number> {
  const cache = await deps.caches.open(RUNTIME_CACHE);
  let discarded = 0;
  for (const asset of assets) {
    const url = assetUrl(asset.path, deps.origin);
    if (!(await cache.match(url))) continue;
    if (!(await cachedIntact(cache, url, asset, onNote))) discarded++;
  }
  return discarded;
}

/**
 * Ensures every asset is cached (downloaded and verified when missing); removes cached files no
 * longer wanted. `unchecked`: the cached copies taken on size alone, for verifyCached.
 */
export async function ensureAssets(
  assets: Asset[],
  onProgress: (p: Progress) => void = () => {},
  deps: DeliveryDeps = defaultDeps(),
  opts: EnsureOptions = {},
): Promise<{ downloaded: number; unchecked: Asset[] }> {
  const cache = await deps.caches.open(RUNTIME_CACHE);
  const total = assets.reduce((s, a) => s + a.bytes, 0);
  let done = 0;
  let downloaded = 0;
  const unchecked: Asset[] = [];
  for (const asset of assets) {
    const url = assetUrl(asset.path, deps.origin);
    const checkNow = asset.checkBeforeStart === true;
    const usable = checkNow ? await cachedIntact(cache, url, asset, opts.onNote ?? (() => {})) : await cachedFullSize(cache, url, asset);
    if (usable) {
      if (!checkNow) unchecked.push(asset);
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
  return { downloaded, unchecked };
}

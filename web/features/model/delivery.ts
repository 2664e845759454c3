// Downloads the model and this device's ORT runtime with streamed progress, checks their sha256,
// and stores them in Cache Storage, where the inference worker and the service worker read them.
import { sha256Hex } from '../../lib/id.ts';
import { RUNTIME_CACHE, assetUrl, type Asset } from '../../lib/runtime.ts';

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

/** Ensures every asset is cached and verified; removes cached files no longer wanted. */
export async function ensureAssets(
  assets: Asset[],
  onProgress: (p: Progress) => void = () => {},
  deps: DeliveryDeps = defaultDeps(),
): Promise<{ downloaded: number }> {
  const cache = await deps.caches.open(RUNTIME_CACHE);
  const total = assets.reduce((s, a) => s + a.bytes, 0);
  let done = 0;
  let downloaded = 0;
  for (const asset of assets) {
    const url = assetUrl(asset.path, deps.origin);
    if (await cache.match(url)) {
      done += asset.bytes;
      onProgress({ loaded: done, total, file: asset.path });
      continue;
    }
    const res = await deps.fetch(url, { cache: 'no-store' });
    if (!res.ok || !res.body) throw new Error(`Could not download ${asset.path} (HTTP ${res.status}).`);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let got = 0;
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      chunks.push(value);
      got += value.length;
      onProgress({ loaded: done + Math.min(got, asset.bytes || got), total: Math.max(total, done + got), file: asset.path });
    }
    const body = new Uint8Array(got);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    if (asset.sha256) {
      const actual = await sha256Hex(body);
      if (actual !== asset.sha256) throw new IntegrityError(asset.path, asset.sha256, actual);
    }
    const ext = asset.path.split('.').pop() ?? '';
    await cache.put(
      url,
      new Response(body, {
        headers: {
          'Content-Type': MIME[ext] ?? res.headers.get('Content-Type') ?? 'application/octet-stream',
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

// The DICOM reader's WASM codecs in the browser (the WasmSource of models/core/dicom): fetched only when a DICOM
// needs one, checked against the sha256 the build measured, kept in Cache Storage for offline use. A user who never
// opens a compressed DICOM never downloads any of them. Works on the page and in the inference worker.
import { CodedError } from '../../models/core/errors.ts';
import { WASM_CODECS, codecAssetPath, type WasmCodec, type WasmSource } from '../../models/core/dicom/wasm-codecs.ts';
import { sha256Hex } from './id.ts';
import { joinReceived, nothingReceived, readBody } from './read-body.ts';
import { CODEC_CACHE, assetFact, assetUrl } from './runtime.ts';

export { CODEC_CACHE };

export const CODECS = Object.keys(WASM_CODECS) as WasmCodec[];

/** What each decoder reads, for messages that say which one is missing. */
export const CODEC_LABELS: Record<WasmCodec, string> = {
  'libjpeg-turbo': 'JPEG baseline decoder (libjpeg-turbo)',
  charls: 'JPEG-LS decoder (CharLS)',
  openjpeg: 'JPEG 2000 decoder (OpenJPEG)',
  openjph: 'HTJ2K decoder (OpenJPH)',
};

export interface CodecAsset {
  codec: WasmCodec;
  path: string;
  bytes: number;
  sha256: string | null;
}

export const codecAsset = (codec: WasmCodec): CodecAsset => {
  const path = codecAssetPath(codec);
  const fact = assetFact(path);
  return { codec, path, bytes: fact?.bytes ?? 0, sha256: fact?.sha256 ?? null };
};

/** All four, ~1 MB: what "Prepare DICOM decoders for offline use" downloads. */
export const codecBytes = (): number => CODECS.reduce((s, c) => s + codecAsset(c).bytes, 0);

export const CODEC_ERROR_CODES = ['codec_unavailable', 'codec_integrity'] as const;
export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];
/** The decoder a file needs is not on this device and cannot be fetched now (offline, or the server failed). */
export class CodecError extends CodedError<CodecErrorCode> {}

const kb = (n: number) => `${Math.round(n / 1024)} KB`;

export function codecUnavailable(codec: WasmCodec, why: string): CodecError {
  const a = codecAsset(codec);
  return new CodecError(
    'codec_unavailable',
    `This DICOM file needs the ${CODEC_LABELS[codec]}, which is not on this device yet and could not be fetched (${why}). ` +
      `Connect to the network once and open the file again${a.bytes ? ` (${kb(a.bytes)})` : ''}, or use Settings → “Prepare DICOM decoders for offline use”.`,
  );
}

export interface CodecDeps {
  fetch: typeof fetch;
  caches: CacheStorage;
  origin: string;
}

const defaultDeps = (): CodecDeps => ({ fetch: (...a) => fetch(...a), caches, origin: self.location.origin });

/** Hashing a cached copy once per page or worker is enough: Cache Storage does not change under us. */
const verified = new Set<string>();

/** The cached bytes when intact; a copy that fails its sha256 is deleted (and fetched again by the caller). */
async function cachedBytes(cache: Cache, url: string, asset: CodecAsset): Promise<Uint8Array<ArrayBuffer> | null> {
  const hit = await cache.match(url);
  if (!hit) return null;
  const bytes = new Uint8Array(await hit.arrayBuffer());
  if (!asset.sha256 || verified.has(url)) return bytes;
  if ((await sha256Hex(bytes)) === asset.sha256) {
    verified.add(url);
    return bytes;
  }
  await cache.delete(url);
  return null;
}

async function fetchCodec(cache: Cache, url: string, asset: CodecAsset, deps: CodecDeps, onBytes: (n: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  let res: Response;
  try {
    res = await deps.fetch(url, { cache: 'no-store' });
  } catch {
    throw codecUnavailable(asset.codec, 'offline or the server cannot be reached');
  }
  if (!res.ok || !res.body) throw codecUnavailable(asset.codec, `the server answered ${res.status}`);
  const received = nothingReceived();
  try {
    await readBody(res.body, received, onBytes);
  } catch {
    throw codecUnavailable(asset.codec, 'the download was cut short');
  }
  const body = joinReceived(received);
  const got = received.bytes;
  if (asset.sha256) {
    const actual = await sha256Hex(body);
    if (actual !== asset.sha256) {
      throw new CodecError('codec_integrity', `The downloaded ${CODEC_LABELS[asset.codec]} failed its integrity check (sha256 ${actual.slice(0, 12)}…, expected ${asset.sha256.slice(0, 12)}…); it was not used.`);
    }
  }
  await cache.put(
    url,
    new Response(body.slice(), {
      headers: {
        'Content-Type': 'application/wasm',
        'Content-Length': String(got),
        'Cross-Origin-Resource-Policy': 'same-origin',
      },
    }),
  );
  verified.add(url);
  return body;
}

/** One codec's WASM: from Cache Storage when there and intact, else fetched, checked and cached. */
export async function codecWasm(codec: WasmCodec, deps: CodecDeps = defaultDeps(), onBytes: (n: number) => void = () => {}): Promise<Uint8Array<ArrayBuffer>> {
  const asset = codecAsset(codec);
  const url = assetUrl(asset.path, deps.origin);
  let cache: Cache;
  try {
    cache = await deps.caches.open(CODEC_CACHE);
  } catch {
    throw new CodecError('codec_unavailable', 'This browser gives the app no Cache Storage, so the DICOM decoders cannot be kept.');
  }
  return (await cachedBytes(cache, url, asset)) ?? fetchCodec(cache, url, asset, deps, onBytes);
}

/** The WasmSource the shared DICOM reader takes in the browser. */
export const browserWasm = (deps?: CodecDeps): WasmSource => (codec) => codecWasm(codec, deps);

/** Which codecs are in Cache Storage (by presence; each is hashed when it is used). */
export async function cachedCodecs(deps: CodecDeps = defaultDeps()): Promise<WasmCodec[]> {
  const cache = await deps.caches.open(CODEC_CACHE);
  const out: WasmCodec[] = [];
  for (const c of CODECS) if (await cache.match(assetUrl(codecAssetPath(c), deps.origin))) out.push(c);
  return out;
}

export interface CodecProgress {
  loaded: number;
  total: number;
  codec: WasmCodec;
}

/** Fetches every codec not cached yet, with progress over all four; returns the bytes downloaded. */
export async function prepareCodecs(onProgress: (p: CodecProgress) => void = () => {}, deps: CodecDeps = defaultDeps()): Promise<number> {
  const total = codecBytes();
  let done = 0;
  let downloaded = 0;
  for (const codec of CODECS) {
    const before = done;
    const cached = (await cachedCodecs(deps)).includes(codec);
    const bytes = await codecWasm(codec, deps, (n) => onProgress({ loaded: before + n, total, codec }));
    if (!cached) downloaded += bytes.length;
    done += codecAsset(codec).bytes || bytes.length;
    onProgress({ loaded: done, total: Math.max(total, done), codec });
  }
  return downloaded;
}

/** Where the build puts the DICOM-only JavaScript (the reader and the codecs' glue): never precached. */
export const DICOM_CHUNKS = '/dicom/';

/**
 * Keeps the DICOM-only chunks this context has loaded in CODEC_CACHE, where the service worker serves them offline.
 * They are found in the Resource Timing entries (their hashed names are only known to the bundler); it works
 * whether or not a service worker saw the fetch. An older build's copy of the same chunk is dropped.
 */
export async function keepDicomChunks(deps: CodecDeps = defaultDeps()): Promise<void> {
  if (typeof performance === 'undefined' || !('getEntriesByType' in performance)) return;
  const cache = await deps.caches.open(CODEC_CACHE);
  const loaded = performance
    .getEntriesByType('resource')
    .map((e) => new URL(e.name, deps.origin))
    .filter((u) => u.origin === deps.origin && u.pathname.startsWith(DICOM_CHUNKS) && u.pathname.endsWith('.js'));
  const stem = (path: string) => path.replace(/-[\w-]{6,}\.js$/, '');
  const kept = await cache.keys();
  for (const u of new Set(loaded.map((x) => x.origin + x.pathname))) {
    if (await cache.match(u)) continue;
    const res = await deps.fetch(u);
    if (!res.ok) continue;
    await cache.put(u, res);
    const path = new URL(u).pathname;
    for (const old of kept) {
      const p = new URL(old.url).pathname;
      if (p !== path && p.startsWith(DICOM_CHUNKS) && stem(p) === stem(path)) await cache.delete(old);
    }
  }
}

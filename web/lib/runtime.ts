// Which onnxruntime-web runtime this device uses, and where the app keeps it and the model.
// Shared by the model feature (download + cache) and the inference worker (load).
import { MODEL_FILE, MODEL_SHA256 } from '../../models/core/model.ts';

/** 'webgpu': the WebGPU-capable build (also runs the WASM provider); 'wasm': the plain SIMD-threaded build. */
export type RuntimeKind = 'webgpu' | 'wasm';
export type Backend = 'WebGPU' | 'WASM' | 'Server';

/** Cache Storage bucket holding the model and the runtime (written by the app, read by the worker and the SW). */
export const RUNTIME_CACHE = 'bigbrain-runtime-v1';

/** Cache Storage bucket of the DICOM reader's chunks and codecs (web/lib/codec-assets.ts): its own, since delivery
 * drops from RUNTIME_CACHE every file it does not list. */
export const CODEC_CACHE = 'bigbrain-codecs-v1';

export const RUNTIME_FILES: Record<RuntimeKind, { mjs: string; wasm: string }> = {
  webgpu: { mjs: 'ort/ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort/ort-wasm-simd-threaded.asyncify.wasm' },
  wasm: { mjs: 'ort/ort-wasm-simd-threaded.mjs', wasm: 'ort/ort-wasm-simd-threaded.wasm' },
};

export interface Asset {
  /** Path under the site root, no leading slash. */
  path: string;
  bytes: number;
  sha256: string | null;
  /** Cached copy hashed before every start (the model: it decides every answer); otherwise after. */
  checkBeforeStart?: boolean;
}

const facts = (): Record<string, { bytes: number; sha256: string | null }> =>
  typeof __ASSET_FACTS__ === 'undefined' ? {} : __ASSET_FACTS__;

/** Size and sha256 of a file the app downloads itself, as the build measured it (undefined when unknown). */
export const assetFact = (path: string): { bytes: number; sha256: string | null } | undefined => facts()[path];

/** The files a device of this kind downloads before it is ready offline: model + one runtime. */
export function assetsFor(kind: RuntimeKind): Asset[] {
  const f = facts();
  const asset = (path: string, sha256: string | null = null): Asset => ({
    path,
    bytes: f[path]?.bytes ?? 0,
    sha256: sha256 ?? f[path]?.sha256 ?? null,
  });
  return [
    { ...asset(MODEL_FILE, MODEL_SHA256), checkBeforeStart: true },
    asset(RUNTIME_FILES[kind].mjs),
    asset(RUNTIME_FILES[kind].wasm),
  ];
}

export const assetUrl = (path: string, base: string = self.location.origin): string => new URL(`/${path}`, base).href;

/** A tiny module using a SIMD instruction: WebAssembly.validate says whether the engine has SIMD. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export interface DeviceSupport {
  kind: RuntimeKind | null;
  /** Why the device cannot run the model locally (null when it can). */
  reason: string | null;
}

/**
 * Picks the runtime: WebGPU when an adapter exists, else WASM with SIMD; null when neither.
 * `force` (from ?backend=wasm|webgpu) pins the choice for tests and troubleshooting.
 */
export async function detectRuntime(force?: string | null): Promise<DeviceSupport> {
  const hasWasm = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  if (!hasWasm) return { kind: null, reason: 'This browser has no WebAssembly SIMD support.' };
  const mem = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  if (mem !== undefined && mem < 1) return { kind: null, reason: `This device reports only ${mem} GB of memory.` };
  if (force === 'wasm') return { kind: 'wasm', reason: null };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (gpu) {
    try {
      if (await gpu.requestAdapter()) return { kind: 'webgpu', reason: null };
    } catch {
      /* no adapter: WASM */
    }
  }
  return { kind: 'wasm', reason: null };
}

// The pp-1 inner loops compiled to WebAssembly (preprocess.wat, and preprocess-simd.wat for the hottest ones),
// instantiated on first use — synchronously: the modules are a few KB — in the browser worker and in Node alike.
// Inputs are copied into the memory, results out. Both builds give the same bytes (tests hold each to pp-1).
import { PREPROCESS_SIMD_WASM, PREPROCESS_WASM } from './preprocess-wasm.ts';

interface Scalar {
  memory: WebAssembly.Memory;
  grey(src: number, n: number, step: number, dst: number): number;
  /** hist: 4 × 256 u32 of scratch; the counts end in the first 256. */
  histogram(grey: number, n: number, hist: number): void;
  brightCounts(grey: number, width: number, height: number, threshold: number, rows: number, cols: number): void;
  resize4(grey: number, width: number, size: number, cells4: number, weights4: number, rStart: number, rIndex: number, rWeight: number, area: number, out: number): void;
  resize(grey: number, width: number, size: number, cStart: number, cIndex: number, cWeight: number, rStart: number, rIndex: number, rWeight: number, area: number, out: number): void;
}

interface Simd {
  /** −1 (nothing written) for RGBA with a translucent pixel. */
  grey(src: number, n: number, step: number, dst: number): number;
  brightCounts: Scalar['brightCounts'];
  tensor(src: number, n: number, dst: number): void;
}

export interface Kernels extends Scalar {
  build: KernelBuild;
  /** n grey bytes → n f32 (v / 255) in memory; absent in the scalar build (preprocess.ts does it in JS). */
  tensor?: Simd['tensor'];
}

export type KernelBuild = 'simd' | 'scalar';

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
let simdBytes: Uint8Array<ArrayBuffer> | undefined;
const simdModuleBytes = () => (simdBytes ??= bytesOf(PREPROCESS_SIMD_WASM));

const instances: Partial<Record<KernelBuild, Kernels>> = {};
let wanted: KernelBuild | undefined;

/** Tests: run this build from now on (undefined: the one the runtime supports). */
export function useKernelBuild(build: KernelBuild | undefined): void {
  wanted = build;
}

function instantiate(build: KernelBuild): Kernels {
  const scalar = new WebAssembly.Instance(new WebAssembly.Module(bytesOf(PREPROCESS_WASM)), {}).exports as unknown as Scalar;
  if (build === 'scalar') return { ...scalar, build };
  const simd = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes()), { env: { memory: scalar.memory } }).exports as unknown as Simd;
  return {
    ...scalar,
    build,
    grey: (src, n, step, dst) => {
      const sum = step === 3 || step === 4 ? simd.grey(src, n, step, dst) : -1;
      return sum >= 0 ? sum : scalar.grey(src, n, step, dst);
    },
    brightCounts: simd.brightCounts,
    tensor: simd.tensor,
  };
}

let supported: KernelBuild | undefined;

export function kernels(): Kernels {
  // Safari before 16.4 has no 128-bit SIMD: it validates the scalar module only.
  const build = wanted ?? (supported ??= WebAssembly.validate(simdModuleBytes()) ? 'simd' : 'scalar');
  return (instances[build] ??= instantiate(build));
}

/**
 * Places regions of the given byte lengths one after the other (8-byte aligned) in the module's memory, growing it
 * when needed; returns their offsets and a fresh view of the memory (a grow detaches older views).
 */
export function layout(lengths: number[]): { at: number[]; heap: ArrayBuffer } {
  const { memory } = kernels();
  const at: number[] = [];
  let end = 0;
  for (const n of lengths) {
    at.push(end);
    end += Math.ceil(n / 8) * 8;
  }
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  return { at, heap: memory.buffer };
}

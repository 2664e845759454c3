// The pp-1 inner loops compiled to WebAssembly (preprocess.wat), instantiated on first use — synchronously: the
// module is under 1 KB — in the browser worker and in Node alike. Inputs are copied into its memory, results out.
import { PREPROCESS_WASM } from './preprocess-wasm.ts';

interface Exports {
  memory: WebAssembly.Memory;
  grey(src: number, n: number, step: number, dst: number): number;
  histogram(grey: number, n: number, hist: number): void;
  brightCounts(grey: number, width: number, height: number, threshold: number, rows: number, cols: number): void;
  resize4(grey: number, width: number, size: number, cells4: number, weights4: number, rStart: number, rIndex: number, rWeight: number, area: number, out: number): void;
  resize(grey: number, width: number, size: number, cStart: number, cIndex: number, cWeight: number, rStart: number, rIndex: number, rWeight: number, area: number, out: number): void;
}

let instance: Exports | undefined;

export function kernels(): Exports {
  if (!instance) {
    const bytes = Uint8Array.from(atob(PREPROCESS_WASM), (ch) => ch.charCodeAt(0));
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
  }
  return instance;
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

import type { AnalysisResult, RunInfo } from '../../web/lib/types.ts';

/** A device diagnosis; fakeRefusal() for an image refused as not an MRI. */
export function fakeResult(over: Partial<Extract<AnalysisResult, { result: 'Tumor' | 'No Tumor' }>> = {}): AnalysisResult {
  return {
    result: 'Tumor',
    label: 'glioma',
    probabilities: { glioma: 0.7, meningioma: 0.1, pituitary: 0.05, notumor: 0.15 },
    tumorProbability: 0.85,
    mriProbability: 0.99,
    uncertain: false,
    model: { name: 'bigbrain-cnn', version: '9.9.9-test' },
    backend: 'WASM',
    ms: 4.2,
    threads: 2,
    pixels: new Uint8Array(96 * 96).fill(80),
    cam: new Float32Array(36).map((_, i) => i / 36),
    camSize: 6,
    ...over,
  };
}

export function fakeRefusal(over: Partial<RunInfo> = {}): AnalysisResult {
  return {
    ...fakeResult(),
    result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, uncertain: false, mriProbability: 0.02,
    ...over,
  };
}

export const pngFile = (name: string) => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])], name, { type: 'image/png' });

/** Cache Storage's Cache, in memory, for jsdom (which has none). */
export class FakeCache {
  store = new Map<string, Response>();
  async match(url: string) {
    return this.store.get(url)?.clone();
  }
  async put(url: string, res: Response) {
    this.store.set(url, res);
  }
  async keys() {
    return [...this.store.keys()].map((u) => new Request(u));
  }
  async delete(r: Request | string) {
    return this.store.delete(typeof r === 'string' ? r : r.url);
  }
}

// The WASM codecs the DICOM reader may need: which package holds each, under which file name the app serves it.
// Node reads them from node_modules, the browser fetches and caches them on first need (web/lib/codec-assets.ts).
export type WasmCodec = 'libjpeg-turbo' | 'charls' | 'openjpeg' | 'openjph';

export const WASM_CODECS: Record<WasmCodec, { package: string; file: string }> = {
  'libjpeg-turbo': { package: '@cornerstonejs/codec-libjpeg-turbo-8bit', file: 'dist/libjpegturbowasm_decode.wasm' },
  charls: { package: '@cornerstonejs/codec-charls', file: 'dist/charlswasm_decode.wasm' },
  openjpeg: { package: '@cornerstonejs/codec-openjpeg', file: 'dist/openjpegwasm_decode.wasm' },
  openjph: { package: '@cornerstonejs/codec-openjph', file: 'dist/openjphjs.wasm' },
};

/** Served at /codecs/<name>.wasm. */
export const codecAssetPath = (codec: WasmCodec) => `codecs/${codec}.wasm`;

/** Where the WASM bytes come from: a file in Node, Cache Storage (sha256-checked) in the browser. */
export type WasmSource = (codec: WasmCodec) => Promise<Uint8Array | ArrayBuffer>;

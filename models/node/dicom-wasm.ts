// Node's WasmSource: the codecs' WASM files straight from node_modules (the browser fetches the same files).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WASM_CODECS, type WasmSource } from '../core/dicom/index.ts';

const require = createRequire(import.meta.url);

/** The package folder; resolved through a file it exports, since the packages do not export package.json. */
export function codecWasmPath(codec: keyof typeof WASM_CODECS): string {
  const { package: pkg, file } = WASM_CODECS[codec];
  const entry = require.resolve(pkg);
  return join(dirname(entry), '..', file);
}

export const nodeWasm: WasmSource = (codec) => readFile(codecWasmPath(codec));

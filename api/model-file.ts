// The ONNX file the server runs, checked against the model card's sha256 before it is served.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { INT8_BUILD, MODEL_SHA256 } from '../models/core/model.ts';
import { DEFAULT_MODEL_PATH, INT8_MODEL_PATH } from '../models/node/classifier.ts';
import type { Config } from './config.ts';

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Throws when the file is not the one the model card describes (a half-copied or stale model). */
export function assertModelFile(path: string, expected = MODEL_SHA256): void {
  const actual = sha256File(path);
  if (actual !== expected) throw new Error(`Model file ${path} has sha256 ${actual}, but the model card says ${expected}.`);
}

export interface ModelFile {
  path: string;
  /** The sha256 the file must have: the card's for that build; for MODEL_PATH, the fp32 file's (as before). */
  sha256: string;
  /** 'int8' or 'fp32' for the card's builds, 'custom' for MODEL_PATH. */
  build: 'int8' | 'fp32' | 'custom';
  /** Why the build is not the one asked for (MODEL_PRECISION=int8 without an int8 build in the card). */
  fallback?: string;
}

/** The ONNX file the server runs: MODEL_PATH outright; else the int8 build when asked for (the default) and present, else fp32. */
export function modelFileFor(config: Pick<Config, 'modelPath' | 'modelPrecision'>): ModelFile {
  if (config.modelPath) return { path: config.modelPath, sha256: MODEL_SHA256, build: 'custom' };
  if (config.modelPrecision === 'int8' && INT8_MODEL_PATH && INT8_BUILD) return { path: INT8_MODEL_PATH, sha256: INT8_BUILD.sha256, build: 'int8' };
  const fallback = config.modelPrecision === 'int8' ? 'MODEL_PRECISION=int8, but the model card has no int8 build of this model (npm run quantize): running fp32.' : undefined;
  return { path: DEFAULT_MODEL_PATH, sha256: MODEL_SHA256, build: 'fp32', ...(fallback ? { fallback } : {}) };
}

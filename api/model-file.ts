// The ONNX file the server runs, checked against the model card's sha256 before it is served.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MODEL_SHA256 } from '../models/core/model.ts';

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Throws when the file is not the one the model card describes (a half-copied or stale model). */
export function assertModelFile(path: string, expected = MODEL_SHA256): void {
  const actual = sha256File(path);
  if (actual !== expected) throw new Error(`Model file ${path} has sha256 ${actual}, but the model card says ${expected}.`);
}

import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const IN_CI = /^(1|true)$/i.test(process.env.CI ?? '');

/** The data folder (../shared/data relative to the repository root). */
export const DATA_DIR = new URL('../../../shared/data/', import.meta.url).pathname;
export const hasData = existsSync(`${DATA_DIR}brain-mri/Training`);
export const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision, numpy, PIL, skimage'], { stdio: 'ignore' }).status === 0;

/**
 * Whether a suite that needs `what` may run. When it is missing the suite is skipped with a
 * visible message on a developer's machine, and fails under CI=true, where a skip hides a gap.
 */
export function available(ok: boolean, what: string): boolean {
  if (ok) return true;
  if (IN_CI) throw new Error(`CI needs ${what}, which is missing`);
  console.warn(`⚠ skipped: ${what} is not available on this machine`);
  return false;
}

// Keeps the training code alive: the dataset script and one epoch on a few dozen images.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { available, hasData, hasTorch } from '../support/skip.ts';

describe.runIf(available(hasData && hasTorch, 'the MRI data folder and Debian python3-torch'))('npm run train -- --smoke', () => {
  it('writes a dataset, trains one epoch and exports an ONNX file with the contract outputs', () => {
    const r = spawnSync('npx', ['tsx', 'models/scripts/train.ts', '--smoke'], { encoding: 'utf8' });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(existsSync('.cache/smoke/run/model.onnx')).toBe(true);
    const calib = JSON.parse(readFileSync('.cache/smoke/run/calibration.json', 'utf8'));
    expect(calib.threshold).toBeGreaterThan(0);
    expect(calib.threshold).toBeLessThanOrEqual(0.5);
    expect(JSON.parse(readFileSync('.cache/smoke/run/check.json', 'utf8')).probabilities[1]).toBe(4);
  }, 600_000);
});

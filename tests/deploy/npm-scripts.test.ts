// npm install reaches nothing but the npm registry and prints no warning: onnxruntime-node's postinstall (a CUDA
// download from outside the registry; its CPU binaries ship in the package) is denied by package.json's
// allowScripts, which npm ≥ 11 honours, and skipped by ONNXRUNTIME_NODE_INSTALL=skip for older npm. No .npmrc key
// is needed for it (npm 11 warns "Unknown project config" about one, and its next major drops them).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const npm = (...args: string[]) => {
  const r = spawnSync('npm', args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};
const major = Number(npm('--version').out.trim().split('.')[0]);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };

describe('npm configuration', () => {
  it('npm reads the project configuration without a warning', () => {
    expect(npm('config', 'list').status).toBe(0);
    // (npm ls's own status says whether node_modules matches the lockfile: not this test's question.)
    for (const args of [['config', 'list'], ['ls', '--depth=0']]) {
      const { out } = npm(...args);
      expect(out, `npm ${args.join(' ')}`).not.toMatch(/Unknown (project|user|env|builtin|cli) config/i);
      expect(out).not.toMatch(/onnxruntime-node-install/);
    }
    if (existsSync(join(REPO, '.npmrc'))) expect(readFileSync(join(REPO, '.npmrc'), 'utf8')).not.toMatch(/onnxruntime-node-install/);
  });

  it('denies onnxruntime-node\'s install script, so no download can be attempted, and reviews every other one', () => {
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
    // The others only check their own install (esbuild: its binary comes from its optional dependency) or
    // print a version-scheme hint (protobufjs): nothing the app needs runs at install time.
    expect(Object.entries(pkg.allowScripts ?? {}).filter(([, allowed]) => allowed)).toEqual([]);
    if (major >= 11) {
      // What `npm ci` would list at its end as skipped, unreviewed scripts: nothing.
      const { status, out } = npm('install-scripts', 'ls');
      expect(status, out).toBe(0);
      expect(out).toMatch(/No packages with unreviewed install scripts/);
    } else {
      console.warn(`npm ${major} ignores allowScripts: ONNXRUNTIME_NODE_INSTALL=skip is what skips the download`);
    }
  });

  it('CI sets ONNXRUNTIME_NODE_INSTALL=skip before npm ci, for npm versions that ignore allowScripts', () => {
    const run = readFileSync(join(REPO, '.ci/run'), 'utf8');
    const skip = run.search(/^export ONNXRUNTIME_NODE_INSTALL=skip$/m);
    expect(skip).toBeGreaterThan(-1);
    expect(skip).toBeLessThan(run.search(/^npm ci$/m));
  });
});

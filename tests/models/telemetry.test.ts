// onnxruntime-node's Linux library reports usage to Microsoft and keeps a device id in
// ~/.cache/Microsoft/DeveloperTools unless telemetry is off before it loads. Our loader turns it off:
// a child process with a fresh HOME and TMPDIR runs the model and must leave both empty.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;

describe('onnxruntime-node telemetry', () => {
  const home = mkdtempSync(`${tmpdir()}/bigbrain-home-`);
  const tmp = mkdtempSync(`${tmpdir()}/bigbrain-tmp-`);
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('is off: running the model writes nothing under HOME or TMPDIR', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: '' };
    delete env.ORT_DISABLE_TELEMETRY;
    const script = `
      const { createClassifier } = await import('./models/node/classifier.ts');
      const c = await createClassifier();
      const out = await c.run([new Float32Array(96 * 96).fill(0.5)]);
      if (out.probabilities.length !== 4) throw new Error('no answer');
      await c.release();
      console.log('ok');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout.trim()).toBe('ok');
    expect(readdirSync(home, { recursive: true })).toEqual([]);
    // tsx keeps its compile cache in TMPDIR; anything else there came from the runtime.
    expect(readdirSync(tmp).filter((f) => !f.startsWith('tsx-'))).toEqual([]);
  }, 90_000);
});

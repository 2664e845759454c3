// onnxruntime-node's Linux library reports usage to Microsoft and keeps a device id in
// ~/.cache/Microsoft/DeveloperTools unless telemetry is off before it loads. Our loader turns it off,
// on the calling thread and for the server's detect workers alike: a child process with a fresh HOME
// and TMPDIR runs the model and must leave both empty. A control run, the runtime imported bare,
// shows that the check sees the files when telemetry is on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Runs an ES module body in a child with its own HOME and TMPDIR; what it left in each. */
function runIsolated(script: string) {
  const [home, tmp] = ['home', 'tmp'].map((n) => mkdtempSync(`${tmpdir()}/bigbrain-${n}-`)) as [string, string];
  scratch.push(home, tmp);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, TMPDIR: tmp, XDG_CACHE_HOME: '' };
  // Neither our setting nor a CI marker the runtime might treat as "telemetry off" by itself.
  for (const k of ['ORT_DISABLE_TELEMETRY', 'CI', 'GITHUB_ACTIONS', 'TF_BUILD', 'GITLAB_CI', 'ORT_RUNNING_UNIT_TESTS']) delete env[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.stdout.trim()).toBe('ok');
  return {
    home: readdirSync(home, { recursive: true }).map(String),
    // tsx keeps its compile cache in TMPDIR; anything else there came from the runtime.
    tmp: readdirSync(tmp).filter((f) => !f.startsWith('tsx-')),
  };
}

describe('onnxruntime-node telemetry', () => {
  it('control: the runtime imported bare writes its device id under HOME', () => {
    const left = runIsolated(`
      const ort = await import('onnxruntime-node');
      const { DEFAULT_MODEL_PATH } = await import('./models/node/classifier.ts');
      const s = await ort.InferenceSession.create(DEFAULT_MODEL_PATH);
      await s.release();
      console.log('ok');`);
    expect(left.home.some((p) => p.includes('Microsoft'))).toBe(true);
  }, 90_000);

  it('is off on the calling thread: running the model writes nothing under HOME or TMPDIR', () => {
    const left = runIsolated(`
      const { createClassifier } = await import('./models/node/classifier.ts');
      const c = await createClassifier();
      const out = await c.run([new Float32Array(96 * 96).fill(0.5)]);
      if (out.probabilities.length !== 4) throw new Error('no answer');
      await c.release();
      console.log('ok');`);
    expect(left).toEqual({ home: [], tmp: [] });
  }, 90_000);

  it("is off in the server's detect workers (their process.env is a copy the runtime never reads)", () => {
    const left = runIsolated(`
      const { createDetectPool } = await import('./models/node/detect-pool.ts');
      const { DEFAULT_MODEL_PATH } = await import('./models/node/classifier.ts');
      const pool = createDetectPool(2, { modelPath: DEFAULT_MODEL_PATH, threads: 1, maxBatch: 1, maxWaitMs: 0 });
      await pool.ready;
      await pool.detect(new Uint8Array(8)).catch(() => {});
      await new Promise((r) => setTimeout(r, 1000)); // the second worker loads too
      await pool.close();
      console.log('ok');`);
    expect(left).toEqual({ home: [], tmp: [] });
  }, 90_000);
});

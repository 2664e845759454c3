// `npm run bench`: every measurement in one run on this machine, report under bench/results/.
// BENCH_QUICK=1 shortens every phase (for debugging the suite, not for figures);
// BENCH_ONLY=node,browser,server picks phases.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { gzipSync } from 'node:zlib';
import { DEFAULT_MODEL_PATH } from '../models/node/classifier.ts';
import { CHROMIUM, HAS_CHROMIUM } from '../tests/e2e/harness.ts';
import { benchBrowser } from './browser.ts';
import { log, realImages, REPO, skip, skips } from './lib.ts';
import { benchNode } from './node.ts';
import { writeReport, type Report } from './report.ts';
import { benchServer } from './server.ts';

const started = performance.now();
const only = new Set((process.env.BENCH_ONLY ?? 'node,browser,server').split(','));
const OUT = `${REPO}bench/results`;
mkdirSync(OUT, { recursive: true });

const model = readFileSync(DEFAULT_MODEL_PATH);
const report: Report = {
  when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine: {
    cpus: cpus()[0]?.model ?? 'unknown CPU', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version,
    chromium: HAS_CHROMIUM ? spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim() || CHROMIUM : null,
    load: loadavg(), note: process.env.BENCH_NOTE ?? '',
  },
  seconds: 0,
  sizes: { modelBytes: model.length, modelGzipBytes: gzipSync(model, { level: 9 }).length },
  skips,
};

// The server phases run the production bundle, as `npm start` does.
if (only.has('server') || only.has('browser')) {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'api/build.ts'], { cwd: REPO, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the server bundle (api/build.ts) did not build');
}

let images = realImages(64);
if (!images) {
  skip('real MRI images', '../shared/data/brain-mri is absent: the HTTP and pipeline phases use synthetic MRIs instead');
  const { syntheticMri } = await import('../tests/e2e/harness.ts');
  images = await Promise.all(Array.from({ length: 8 }, async (_, i) => ({ name: `synthetic-${i}.jpg`, bytes: await syntheticMri(224 + 8 * i, 'jpeg') })));
}

const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
  if (!only.has(name)) return undefined;
  try {
    return await fn();
  } catch (err) {
    skip(`${name} phase`, `failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return undefined;
  }
};

report.node = await phase('node', () => benchNode(images));
report.browser = await phase('browser', () => benchBrowser(images));
report.server = await phase('server', () => benchServer(images));
report.seconds = (performance.now() - started) / 1000;
await writeReport(OUT, report);
log(`report written to bench/results/report.md (+ report.json, chart.png) in ${Math.round(report.seconds)} s`);
process.exit(0);

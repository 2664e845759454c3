// `npm run bench:series`: a 100-slice 256² series (16-bit, 12 bits stored, as a scanner writes MR), from files to
// verdict: through the CLI (`npm run classify -- --series`, whole process, and in-process without the model load) and
// through POST /api/series on the production server (dist/api/server.mjs, default workers), in the same run. The
// slices are written at run time from real MRIs (tests/support/dicom-fixtures.ts sampleJpegs) or generated pixels
// when ../shared/data is absent; never kept.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createClassifier } from '../models/node/classifier.ts';
import { createBatchingDetector } from '../models/node/detect-inline.ts';
import { listSeriesFiles } from '../models/node/series-files.ts';
import { analyseSeriesFile, mapBounded, seriesAnswers } from '../models/node/series.ts';
import { imageFile } from '../models/scripts/dicom-write.ts';
import { fixtureDir, sampleJpegs } from '../tests/support/dicom-fixtures.ts';
import { hasData } from '../tests/support/skip.ts';
import { log, QUICK, REPO, round, rssOf, startApi, stats, token } from './lib.ts';

const SLICES = 100;
const SIZE = 256;
const RUNS = QUICK ? 3 : 7;

async function greys(): Promise<Uint8Array[]> {
  if (!hasData) {
    return Array.from({ length: SLICES }, (_, k) => Uint8Array.from({ length: SIZE * SIZE }, (_, i) => {
      const x = (i % SIZE) / SIZE - 0.5, y = Math.floor(i / SIZE) / SIZE - 0.5;
      return x * x + y * y < 0.16 ? 90 + Math.round(60 * Math.sin((i + k * 31) / 7)) : 0;
    }));
  }
  return Promise.all(sampleJpegs(SLICES).map(async (p) => new Uint8Array((await sharp(p).greyscale().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer()))));
}

function writeSeries(dir: string, gs: Uint8Array[]): number {
  let bytes = 0;
  gs.forEach((g, i) => {
    const file = imageFile({
      rows: SIZE, columns: SIZE, bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 0, photometric: 'MONOCHROME2',
      pixels: Uint16Array.from(g, (v) => v * 16), window: { center: 2040.5, width: 4081 },
      identity: { studyUid: '2.25.88001', seriesUid: '2.25.88001.1', sopInstanceUid: `2.25.88001.1.${i + 1}`, seriesDescription: 'T1 AX BENCH' },
      geometry: { seriesNumber: 1, instanceNumber: i + 1, imagePosition: [-115, -115, -200 + 2 * i], imageOrientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.9, 0.9] },
      timing: { repetitionTime: 500, echoTime: 10 },
    });
    bytes += file.length;
    writeFileSync(join(dir, `IM${String((i * 37) % SLICES).padStart(4, '0')}`), file);
  });
  return bytes;
}

function multipartOf(dir: string): { body: Buffer; contentType: string } {
  const boundary = `----bigbrainseries${Math.random().toString(16).slice(2)}`;
  const parts = readdirSync(dir).sort().flatMap((name) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/dicom\r\n\r\n`),
    readFileSync(join(dir, name)), Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

const { dir, remove } = fixtureDir();
try {
  const bytes = writeSeries(dir, await greys());
  log(`${SLICES} slices of ${SIZE}² written (${(bytes / 2 ** 20).toFixed(1)} MB, ${hasData ? 'real MRIs' : 'generated pixels'})`);

  // CLI, whole process: tsx start, model load, files → verdict.
  const cliWall: number[] = [];
  let cliLine = '';
  for (let k = 0; k < RUNS; k++) {
    const t = performance.now();
    const r = spawnSync('npx', ['tsx', 'models/scripts/classify.ts', '--series', dir], { cwd: REPO, encoding: 'utf8' });
    cliWall.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`CLI failed: ${r.stderr}`);
    cliLine = r.stdout.trim();
  }
  // The CLI's pipeline in process, model loaded once: files → verdict.
  const classifier = await createClassifier();
  const detect = createBatchingDetector(classifier, { maxBatch: 16, maxWaitMs: 2 });
  const inProcess: number[] = [];
  for (let k = 0; k < RUNS + 1; k++) {
    const t = performance.now();
    const { files } = listSeriesFiles([dir]);
    const outcomes = await mapBounded(files, 4, async (f) => analyseSeriesFile(f, new Uint8Array(readFileSync(f)), detect));
    const [answer] = seriesAnswers(outcomes.flatMap((o) => o.slices));
    if (k > 0) inProcess.push(performance.now() - t);
    if (answer?.series.slices !== SLICES) throw new Error('the series was not read whole');
  }
  await classifier.release();

  // POST /api/series on the production server.
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'api/build.ts'], { cwd: REPO, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the server bundle (api/build.ts) did not build');
  const server = await startApi();
  const api: number[] = [];
  let apiAnswer: { series: Array<Record<string, unknown>> } | null = null;
  let peakRss = 0;
  let idleRss = 0;
  try {
    const auth = await token(server.url);
    const { body, contentType } = multipartOf(dir);
    idleRss = rssOf(server.child.pid!)?.hwm ?? 0;
    for (let k = 0; k < RUNS + 1; k++) {
      const t = performance.now();
      const res = await fetch(`${server.url}/api/series`, { method: 'POST', headers: { 'auth-token': auth, 'content-type': contentType }, body: new Uint8Array(body) });
      const json = await res.json() as { series: Array<Record<string, unknown>> };
      if (res.status !== 200) throw new Error(`POST /api/series ${res.status}: ${JSON.stringify(json)}`);
      if (k > 0) api.push(performance.now() - t);
      apiAnswer = json;
      peakRss = Math.max(peakRss, rssOf(server.child.pid!)?.hwm ?? 0);
    }
  } finally {
    await server.stop();
  }
  const cli = JSON.parse(cliLine) as Record<string, unknown>;
  const a = apiAnswer!.series[0]!;
  const base = (ks: unknown) => (ks as Array<{ file: string; tumorProbability: number }>).map((k) => [k.file.split('/').pop(), k.tumorProbability]);
  const agree = cli.result === a.result && cli.tumorProbability === a.tumorProbability && JSON.stringify(base(cli.keySlices)) === JSON.stringify(base(a.keySlices));
  const results = {
    slices: SLICES, size: SIZE, megabytes: round(bytes / 2 ** 20), source: hasData ? 'real MRIs' : 'generated', runs: RUNS,
    cliProcessMs: stats(cliWall), cliPipelineMs: stats(inProcess), apiMs: stats(api), serverPeakRssMb: round(peakRss), serverRssBeforeMb: round(idleRss),
    verdict: { cli: { result: cli.result, tumorProbability: cli.tumorProbability }, api: { result: a.result, tumorProbability: a.tumorProbability }, agree },
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, 'bench/results/series.json'), JSON.stringify(results, null, 2) + '\n');
  const ms = (s: { median: number; min: number; p90: number }) => `${Math.round(s.median)} ms (min ${Math.round(s.min)}, p90 ${Math.round(s.p90)})`;
  const md = [
    `# Series benchmark: ${SLICES} slices of ${SIZE}², 16-bit (${results.megabytes} MB), files → verdict`,
    '',
    `| path | median of ${RUNS} | per slice |`,
    '|---|---|---|',
    `| CLI, whole process (\`npm run classify -- --series\`: tsx start, model load, read, verdict) | ${ms(results.cliProcessMs)} | ${round(results.cliProcessMs.median / SLICES)} ms |`,
    `| CLI pipeline in process (model loaded once) | ${ms(results.cliPipelineMs)} | ${round(results.cliPipelineMs.median / SLICES)} ms |`,
    `| POST /api/series, production server, default workers, one multipart request over loopback | ${ms(results.apiMs)} | ${round(results.apiMs.median / SLICES)} ms |`,
    '',
    `Server peak RSS (VmHWM): ${results.serverRssBeforeMb} MB signed in and idle, ${results.serverPeakRssMb} MB after the runs. Verdicts: CLI ${cli.result} (${cli.tumorProbability}), API ${a.result} (${a.tumorProbability}); agree: ${agree}.`,
    '',
  ].join('\n');
  writeFileSync(join(REPO, 'bench/results/series.md'), md);
  console.log(md);
} finally {
  remove();
}

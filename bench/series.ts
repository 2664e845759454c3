// `npm run bench:series`: a 100-slice 256² series (16-bit, 12 bits stored, as a scanner writes MR), from files to
// verdict: on the device in Chromium WASM (the built PWA, the series panel: drop → study list → Analyse → verdict), through the CLI (`npm run classify -- --series`, whole process, and in-process without the model load) and
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
import { HAS_CHROMIUM, ensureBuilt, launch, newTabletContext, serveDist } from '../tests/e2e/harness.ts';
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

interface DeviceRun { totalMs: number; listMs: number; analyseMs: number; result: string; tumorProbability: number | null; progress: string }

/**
 * The device path: the built PWA (vite preview, production headers) in headless Chromium, WASM backend. The 100
 * files are put in the page once as File objects; each run is timed in the page, from the drop on the series panel
 * to the verdict shown (headers read → the study list → Analyse → every slice in the worker → the series verdict).
 */
async function deviceRuns(dir: string, runs: number): Promise<DeviceRun[] | null> {
  if (!HAS_CHROMIUM) {
    log('Chromium missing: the device path is skipped');
    return null;
  }
  await ensureBuilt();
  const served = await serveDist();
  const browser = await launch();
  try {
    const context = await newTabletContext(browser, true);
    const page = await context.newPage();
    await page.goto(`${served.url}/?backend=wasm`);
    await page.getByText('Ready offline').waitFor({ timeout: 180_000 });
    const files = readdirSync(dir).sort().map((name) => ({ name, b64: readFileSync(join(dir, name)).toString('base64') }));
    await page.evaluate((list) => {
      (window as unknown as { __benchFiles: File[] }).__benchFiles = list.map((f) => new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
    }, files);
    // tsx (esbuild keepNames) wraps the evaluated functions' inner functions in __name(): give the page one.
    await page.evaluate('window.__name = (f) => f');
    const out: DeviceRun[] = [];
    for (let k = 0; k < runs + 1; k++) {
      const run = await page.evaluate(async (slices) => {
        const until = <T>(f: () => T | null | undefined | false, ms = 120_000) => new Promise<T>((resolve, reject) => {
          const end = performance.now() + ms;
          const tick = () => {
            const v = f();
            if (v) resolve(v);
            else if (performance.now() > end) reject(new Error('timed out'));
            else requestAnimationFrame(tick);
          };
          tick();
        });
        const drop = document.querySelector('[data-testid="series-drop"]')!;
        const dt = new DataTransfer();
        for (const f of (window as unknown as { __benchFiles: File[] }).__benchFiles) dt.items.add(f);
        // The previous run's list goes when the drop is read: wait for the new one.
        const before = document.querySelector('section[aria-label="Studies"]');
        const t0 = performance.now();
        drop.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        const button = await until(() => {
          const b = document.querySelector<HTMLButtonElement>('button[aria-label="Analyse series T1 AX BENCH"]');
          return b && !b.disabled && b.closest('section') !== before ? b : null;
        });
        const t1 = performance.now();
        button.click();
        const done = new RegExp(`^${slices} of ${slices} slices .* s$`);
        const result = await until(() => {
          const p = document.querySelector('[data-testid="series-progress"]');
          const r = document.querySelector('[data-testid="series-result"]');
          return p && done.test(p.textContent ?? '') && r ? { p: p.textContent ?? '', r: r.textContent ?? '' } : null;
        });
        const t2 = performance.now();
        const prob = document.querySelector('[data-testid="series-probability"]')?.getAttribute('data-value');
        return { totalMs: t2 - t0, listMs: t1 - t0, analyseMs: t2 - t1, result: result.r, tumorProbability: prob ? Number(prob) : null, progress: result.p };
      }, SLICES);
      if (k > 0) out.push(run);
      log(`device run ${k}${k ? '' : ' (warm-up)'}: ${Math.round(run.totalMs)} ms (list ${Math.round(run.listMs)}, analysis ${Math.round(run.analyseMs)}): ${run.progress}`);
    }
    await context.close();
    return out;
  } finally {
    await browser.close();
    await served.close();
  }
}

const { dir, remove } = fixtureDir();
try {
  const bytes = writeSeries(dir, await greys());
  log(`${SLICES} slices of ${SIZE}² written (${(bytes / 2 ** 20).toFixed(1)} MB, ${hasData ? 'real MRIs' : 'generated pixels'})`);

  // On the device: Chromium, WASM, the PWA's series panel.
  const device = await deviceRuns(dir, RUNS);

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
  const d = device?.[device.length - 1];
  // WASM and onnxruntime-node differ in the last digits: the series P within 2e-3, as the series e2e checks.
  const deviceAgrees = d ? d.result === a.result && Math.abs((d.tumorProbability ?? NaN) - Number(a.tumorProbability)) <= 2e-3 : null;
  const results = {
    slices: SLICES, size: SIZE, megabytes: round(bytes / 2 ** 20), source: hasData ? 'real MRIs' : 'generated', runs: RUNS,
    deviceTotalMs: device ? stats(device.map((r) => r.totalMs)) : null,
    deviceListMs: device ? stats(device.map((r) => r.listMs)) : null,
    deviceAnalyseMs: device ? stats(device.map((r) => r.analyseMs)) : null,
    cliProcessMs: stats(cliWall), cliPipelineMs: stats(inProcess), apiMs: stats(api), serverPeakRssMb: round(peakRss), serverRssBeforeMb: round(idleRss),
    verdict: {
      cli: { result: cli.result, tumorProbability: cli.tumorProbability }, api: { result: a.result, tumorProbability: a.tumorProbability }, agree,
      device: d ? { result: d.result, tumorProbability: d.tumorProbability } : null, deviceAgrees,
    },
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, 'bench/results/series.json'), JSON.stringify(results, null, 2) + '\n');
  const ms = (s: { median: number; min: number; p90: number }) => `${Math.round(s.median)} ms (min ${Math.round(s.min)}, p90 ${Math.round(s.p90)})`;
  const md = [
    `# Series benchmark: ${SLICES} slices of ${SIZE}², 16-bit (${results.megabytes} MB), files → verdict`,
    '',
    `| path | median of ${RUNS} | per slice |`,
    '|---|---|---|',
    ...(results.deviceTotalMs && results.deviceListMs && results.deviceAnalyseMs ? [
      `| **Device**, Chromium WASM, the PWA's series panel: drop of the 100 files → study list → Analyse → verdict shown (target ≤ 2 s) | ${ms(results.deviceTotalMs)} | ${round(results.deviceTotalMs.median / SLICES)} ms |`,
      `| — of which headers read and study list | ${ms(results.deviceListMs)} | |`,
      `| — of which Analyse → verdict (decode, preprocess, inference in the worker) | ${ms(results.deviceAnalyseMs)} | |`,
    ] : ['| Device, Chromium WASM | skipped: no Chromium | |']),
    `| CLI, whole process (\`npm run classify -- --series\`: tsx start, model load, read, verdict) | ${ms(results.cliProcessMs)} | ${round(results.cliProcessMs.median / SLICES)} ms |`,
    `| CLI pipeline in process (model loaded once) | ${ms(results.cliPipelineMs)} | ${round(results.cliPipelineMs.median / SLICES)} ms |`,
    `| POST /api/series, production server, default workers, one multipart request over loopback | ${ms(results.apiMs)} | ${round(results.apiMs.median / SLICES)} ms |`,
    '',
    `Server peak RSS (VmHWM): ${results.serverRssBeforeMb} MB signed in and idle, ${results.serverPeakRssMb} MB after the runs. Verdicts: CLI ${cli.result} (${cli.tumorProbability}), API ${a.result} (${a.tumorProbability}); agree: ${agree}.${d ? ` Device ${d.result} (${d.tumorProbability}); agrees with the API within 2e-3: ${deviceAgrees}.` : ''}`,
    '',
    `One run of \`npm run bench:series\`${QUICK ? ' (BENCH_QUICK=1)' : ''}, ${new Date().toISOString().slice(0, 10)}, this 2-core machine; the device path is timed in the page (performance.now), after one warm-up run on the same page.`,
    '',
  ].join('\n');
  writeFileSync(join(REPO, 'bench/results/series.md'), md);
  console.log(md);
} finally {
  remove();
}

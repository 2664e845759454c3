// The report: JSON (everything), Markdown (tables, targets, ratios) and a chart (SVG → PNG with sharp).
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import type { BrowserResults } from './browser.ts';
import type { NodeResults } from './node.ts';
import type { InterleavedLevel, Series, ServerResults } from './server.ts';
import { round, type Spread } from './lib.ts';

export interface Report {
  when: string;
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; chromium: string | null; load: number[]; note: string };
  seconds: number;
  sizes: { modelBytes: number; modelGzipBytes: number };
  node?: NodeResults;
  browser?: BrowserResults;
  server?: ServerResults;
  skips: string[];
}

const f = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const ratio = (a?: number | null, b?: number | null) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
const pct = (a?: number | null, b?: number | null) => (a && b ? `${Math.round((100 * a) / b)} %` : '—');
const mb = (b?: number) => (b ? `${(b / 1e6).toFixed(2)} MB` : '—');
const ok = (v: boolean | null) => (v === null ? '— (not measured)' : v ? '✅ met' : '❌ not met');

const spreadOf = (x: Spread | undefined | null, d = 1) => (x ? `${f(x.median, d)} (${f(x.min, d)}–${f(x.max, d)})` : '—');

/** Medians of the interleaved comparison at one level (JPEG uploads unless dicom). */
function levelOf(s: ServerResults | undefined, c: number): InterleavedLevel | undefined {
  return s?.interleaved?.levels.find((l) => l.connections === c);
}

/** The issue-15 targets, judged on medians; null = not measured in this run. */
export function targets(r: Report): Array<{ target: string; measured: string; met: boolean | null | 'reported' }> {
  const n = r.node, b = r.browser, s = r.server;
  const L = (c: number) => levelOf(s, c);
  const vs = (c: number, k: 'reqPerSec' | 'p50') => {
    const l = L(c);
    return l ? `BigBrain ${spreadOf(l.bigbrain[k], k === 'p50' ? 0 : 1)} vs Flask ${spreadOf(l.flask?.[k], k === 'p50' ? 0 : 1)}${k === 'reqPerSec' ? ` = ${ratio(l.bigbrain.reqPerSec.median, l.flask?.reqPerSec.median)}` : ' ms'}` : '—';
  };
  const times = (c: number, x: number) => { const l = L(c); return l?.flask ? l.bigbrain.reqPerSec.median >= x * l.flask.reqPerSec.median : null; };
  const l1 = L(1), l32 = L(32);
  const all = s?.interleaved?.levels.flatMap((l) => [l.bigbrain, ...(l.dicom ? [l.dicom] : [])]) ?? [];
  const bad = (x: Series | null | undefined) => (x ? x.errors + x.non2xx : 0);
  const errAll = all.reduce((a, x) => a + bad(x), 0);
  const raw = n?.rawCeiling.imgPerSec;
  const jpeg = n?.cpuPerImage.rows.find((x) => x.input === 'JPEG' && x.current);
  const dicomRow = n?.cpuPerImage.rows.find((x) => x.input === 'DICOM' && x.current);
  const mem = s?.interleaved?.memory;
  const dl = (c: number) => L(c)?.dicom?.reqPerSec.median;
  return [
    { target: '/detect at 1 connection: req/s ≥ Flask', measured: vs(1, 'reqPerSec'), met: times(1, 1) },
    { target: '/detect at 1 connection: p50 ≤ Flask\'s p50', measured: vs(1, 'p50'), met: l1?.flask ? l1.bigbrain.p50.median <= l1.flask.p50.median : null },
    { target: '/detect at 8 connections: req/s ≥ 2× Flask', measured: vs(8, 'reqPerSec'), met: times(8, 2) },
    { target: '/detect at 32 connections: req/s ≥ 2× Flask', measured: vs(32, 'reqPerSec'), met: times(32, 2) },
    {
      target: '/detect at 32 connections: p99 ≤ 250 ms, zero errors',
      measured: l32 ? `p99 ${spreadOf(l32.bigbrain.p99, 0)} ms; errors + non-2xx at 32: ${bad(l32.bigbrain)}, over every BigBrain run (JPEG and DICOM, all levels): ${errAll}` : '—',
      met: l32 ? l32.bigbrain.p99.median <= 250 && errAll === 0 : null,
    },
    {
      target: '/detect at 32 connections ≥ 50 % of raw batched inference (of the model the server runs)',
      measured: l32 && raw
        ? `${pct(l32.bigbrain.reqPerSec.median, raw)} (${f(l32.bigbrain.reqPerSec.median)} req/s of ${f(raw)} img/s, ${n!.rawCeiling.model}, batch ${n!.rawCeiling.batch} × ${n!.rawCeiling.threads} threads; range ${pct(l32.bigbrain.reqPerSec.min, raw)}–${pct(l32.bigbrain.reqPerSec.max, raw)})` +
          (n!.rawCeiling.model !== 'fp32' ? `; of fp32 raw inference, the reference when the target was set: ${pct(l32.bigbrain.reqPerSec.median, n!.rawCeilingFp32.imgPerSec)} (${f(n!.rawCeilingFp32.imgPerSec)} img/s)` : '')
        : '—',
      met: l32 && raw ? l32.bigbrain.reqPerSec.median >= 0.5 * raw : null,
    },
    { target: `Decode + preprocess ≤ 0.5 ms CPU per ${n?.cpuPerImage.size ?? '224×224'} JPEG`, measured: jpeg ? `${f(jpeg.totalMs, 3)} ms (decode ${f(jpeg.decodeMs, 3)} + preprocess ${f(jpeg.preprocessMs, 3)}); DICOM slice ${f(dicomRow?.totalMs, 3)} ms` : '—', met: jpeg ? jpeg.totalMs <= 0.5 : null },
    { target: 'Browser end to end per image (reported)', measured: b?.endToEnd ? `${f(b.endToEnd.median)} ms median (p90 ${f(b.endToEnd.p90)}), of which model ${f(b.endToEnd.inference)} ms, decode + preprocess + interpretation ${f(b.endToEnd.outsideModel)} ms` : '—', met: b?.endToEnd ? 'reported' : null },
    { target: 'DICOM slices in the same tables (reported)', measured: L(1)?.dicom ? `c=1 / 8 / 32: ${f(dl(1))} / ${f(dl(8))} / ${f(dl(32))} req/s (median)` : '—', met: L(1)?.dicom ? 'reported' : null },
    { target: 'Memory growth under load (reported)', measured: mem ? `BigBrain ${mem.bigbrain.afterWarmupMiB} → ${mem.bigbrain.endMiB} MiB (${signed(mem.bigbrain.growthMiB)}), peak ${mem.bigbrain.peakMiB}; Flask ${mem.flask ? `${mem.flask.afterWarmupMiB} → ${mem.flask.endMiB} MiB (${signed(mem.flask.growthMiB)}), peak ${mem.flask.peakMiB}` : '—'}` : '—', met: mem ? 'reported' : null },
  ];
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x} MiB`;
const mark = (v: boolean | null | 'reported') => (v === 'reported' ? '✅ reported' : ok(v));

export function markdown(r: Report): string {
  const n = r.node, b = r.browser, s = r.server;
  const il = s?.interleaved;
  const l32 = levelOf(s, 32);
  const ceiling = n?.pipelineCeiling.imgPerSec;
  const raw = n?.rawCeiling.imgPerSec;
  const lines: string[] = [];
  lines.push(`# BigBrain benchmark — ${r.when}`, '');
  lines.push(`Machine: ${r.machine.cpus}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; Node ${r.machine.node}; ${r.machine.chromium ?? 'no Chromium'}; load average at start ${r.machine.load.map((x) => x.toFixed(1)).join(' / ')}. ${r.machine.note}`, '');
  lines.push(`Run took ${Math.round(r.seconds)} s. Absolute times drift on shared machines: read the ratios.${il ? ` Server figures: median (min–max) over ${il.rounds} interleaved round${il.rounds === 1 ? '' : 's'} of ${il.seconds} s per server and level.` : ''}`, '');
  if (r.skips.length) lines.push('**Skipped:**', ...r.skips.map((x) => `- ${x}`), '');
  lines.push('![chart](chart.png)', '');

  lines.push('## Targets (issue 15, judged on medians)', '', '| Target | Measured: median (min–max) | |', '|---|---|---|');
  for (const t of targets(r)) lines.push(`| ${t.target} | ${t.measured} | ${mark(t.met)} |`);
  lines.push('', 'Browser and server producing identical tensors, and the model\'s answers unchanged, are checked by the test suite (`npm test`), not here.', '');

  lines.push('### Earlier targets', '', '| Target | Measured | |', '|---|---|---|');
  const wasm = b?.wasmAll ?? b?.wasm1;
  lines.push(`| Browser WASM model-only ≤ 10 ms median | ${f(b?.wasm1?.median)} ms (1 thread), ${f(b?.wasmAll?.median)} ms (${b?.wasmAll?.threads ?? '?'} threads) | ${ok(wasm ? Math.min(b?.wasm1?.median ?? Infinity, b?.wasmAll?.median ?? Infinity) <= 10 : null)} |`);
  lines.push(`| Browser end-to-end ≤ 40 ms median | ${f(b?.endToEnd?.median)} ms | ${ok(b?.endToEnd ? b.endToEnd.median <= 40 : null)} |`);
  lines.push(`| First visit to offline-ready ≤ 8 MB compressed | ${mb(b?.firstVisit?.bytesOnWire)} on the wire | ${ok(b?.firstVisit ? b.firstVisit.bytesOnWire <= 8e6 : null)} |`);
  lines.push(`| /detect ≥ 5× Flask+PyTorch (c=32, medians) | ${ratio(l32?.bigbrain.reqPerSec.median, l32?.flask?.reqPerSec.median)} | ${ok(l32?.flask ? l32.bigbrain.reqPerSec.median >= 5 * l32.flask.reqPerSec.median : null)} |`);
  lines.push(`| /detect ≥ 70 % of the in-process pipeline ceiling (c=32, median) | ${pct(l32?.bigbrain.reqPerSec.median, ceiling)} | ${ok(l32 && ceiling ? l32.bigbrain.reqPerSec.median >= 0.7 * ceiling : null)} |`);
  lines.push(`| Server ready ≤ 2 s after start | ${f(s?.start?.firstAnswerMs, 0)} ms to the first /health answer (restart, PGlite); ${f(s?.start?.postgresMs, 0)} ms on PostgreSQL; first start on an empty folder ${f(s?.start?.firstStartMs, 0)} ms | ${ok(s?.start ? s.start.firstAnswerMs <= 2000 : null)} |`, '');

  lines.push('## 1. Model-only latency per image (ms, after warm-up)', '', '| Runtime | runs | median | p90 | min | × onnxruntime-node |', '|---|---|---|---|---|---|');
  const row = (name: string, x?: { n: number; median: number; p90: number; min: number }) =>
    x && lines.push(`| ${name} | ${x.n} | ${f(x.median, 2)} | ${f(x.p90, 2)} | ${f(x.min, 2)} | ${ratio(x.median, n?.modelOnly.median)} |`);
  row(`onnxruntime-node (1 intra-op thread), ${n?.modelOnly.model ?? ''} — the server's model`, n?.modelOnly);
  if (n?.modelOnlyFp32 && n.modelOnly.model !== 'fp32') row('onnxruntime-node (1 intra-op thread), fp32 — the browser\'s model', n.modelOnlyFp32);
  row('Chromium WASM, 1 thread', b?.wasm1);
  row(`Chromium WASM, ${b?.wasmAll?.threads ?? 'all'} threads (cross-origin isolated: ${b?.wasmAll?.crossOriginIsolated ?? '?'})`, b?.wasmAll);
  row('Chromium WebGPU on SwiftShader — CPU emulation, says nothing about real GPUs', b?.webgpu);
  lines.push('');

  lines.push('## 2. End to end per image: decode → preprocess → inference → result (ms)', '', '| Where | runs | median | p90 | min | of which inference (median) |', '|---|---|---|---|---|---|');
  if (b?.endToEnd) lines.push(`| Browser worker (WASM ×${b.endToEnd.threads}) | ${b.endToEnd.n} | ${f(b.endToEnd.median)} | ${f(b.endToEnd.p90)} | ${f(b.endToEnd.min)} | ${f(b.endToEnd.inference)} (outside the model — decode + preprocess + interpretation, totalMs − ms: ${f(b.endToEnd.outsideModel)}) |`);
  if (n) lines.push(`| Server process (decodeImage + pp-1 + onnxruntime-node), one at a time | ${n.endToEnd.n} | ${f(n.endToEnd.median)} | ${f(n.endToEnd.p90)} | ${f(n.endToEnd.min)} | ${f(n.endToEnd.inference)} (decode ${f(n.endToEnd.decode, 2)}, preprocess ${f(n.endToEnd.preprocess, 2)}) |`);
  lines.push('');

  if (n?.cpuPerImage) {
    const c = n.cpuPerImage;
    lines.push(`### Decode + preprocess: CPU per image (ms, process.cpuUsage user + system, ${c.images} images one at a time after ${c.warmup} warm-up, median of ${c.passes} pass${c.passes === 1 ? '' : 'es'})`, '');
    lines.push(`JPEG: the real MRIs (${c.size}); DICOM: the bench's single-frame MR slices (${il?.dicom?.description ?? 'written from the same MRIs, native 16-bit'}). The first row of each input is the server's path today, the others the old paths.`, '');
    lines.push('| Input | decode | preprocess | CPU decode | CPU preprocess | CPU total | wall | × today |', '|---|---|---|---|---|---|---|---|');
    for (const x of c.rows) {
      const today = c.rows.find((y) => y.input === x.input && y.current);
      lines.push(`| ${x.input}${x.current ? ' (today)' : ''} | ${x.decoder} | ${x.preprocess} | ${f(x.decodeMs, 3)} | ${f(x.preprocessMs, 3)} | **${f(x.totalMs, 3)}** | ${f(x.wallMs, 3)} | ${ratio(x.totalMs, today?.totalMs)} |`);
    }
    const J = (dec: string, pp: string) => c.rows.find((x) => x.input === 'JPEG' && x.decoder.startsWith(dec) && x.preprocess === pp)?.totalMs;
    const before = J('sharp', 'pp-1 as first written'), today = J('decodeImage', 'pp-1 today');
    const dWasm = (J('sharp', 'pp-1 today') ?? NaN) - (today ?? NaN), dPp = (J('decodeImage', 'pp-1 as first written') ?? NaN) - (today ?? NaN);
    lines.push('', `What each change bought (JPEG, CPU per image): the WASM libjpeg-turbo decoder instead of sharp ${f(dWasm, 3)} ms; the faster pp-1 ${f(dPp, 3)} ms; both together ${f((before ?? NaN) - (today ?? NaN), 3)} ms (${f(before, 3)} → ${f(today, 3)} ms).`, '');
  }

  lines.push('## 3. Server /detect over HTTP, interleaved with Flask + PyTorch (autocannon, auth-token)', '');
  if (il) {
    lines.push(`Configuration: ${il.config}. PGlite (embedded) database; every answer is stored in the history. Both servers started once and kept running; after a warm-up, each round runs ${il.order.join(' → ')} at each level (${il.rounds} round${il.rounds === 1 ? '' : 's'} × ${il.seconds} s), the others idle meanwhile. JPEG: the real MRIs as multipart \`file\`; DICOM: ${il.dicom ? `${il.dicom.slices} slices of ${il.dicom.bytesEach} bytes (${il.dicom.description}; ${il.dicom.inScope} of ${il.dicom.slices} in the validated use)` : '—'}. Flask cannot read DICOM (—). Figures: median (min–max); × Flask = median / median; errors and non-2xx summed over the rounds.`, '');
    lines.push('| Upload, connections | BigBrain req/s | Flask req/s | × Flask | BigBrain p50 ms | Flask p50 ms | BigBrain p99 ms | Flask p99 ms | errors / non-2xx BigBrain | errors / non-2xx Flask | % of pipeline ceiling | % of raw inference |', '|---|---|---|---|---|---|---|---|---|---|---|---|');
    const tr = (label: string, x: Series, fl: Series | null) =>
      lines.push(`| ${label} | ${spreadOf(x.reqPerSec)} | ${spreadOf(fl?.reqPerSec)} | ${ratio(x.reqPerSec.median, fl?.reqPerSec.median)} | ${spreadOf(x.p50, 0)} | ${spreadOf(fl?.p50, 0)} | ${spreadOf(x.p99, 0)} | ${spreadOf(fl?.p99, 0)} | ${x.errors} / ${x.non2xx} | ${fl ? `${fl.errors} / ${fl.non2xx}` : '—'} | ${pct(x.reqPerSec.median, ceiling)} | ${pct(x.reqPerSec.median, raw)} |`);
    for (const l of il.levels) tr(`JPEG c=${l.connections}${l.flask || il.flask === null ? '' : ' (BigBrain only)'}`, l.bigbrain, l.flask);
    for (const l of il.levels) if (l.dicom) tr(`DICOM c=${l.connections}`, l.dicom, null);
    lines.push('');
    const m = il.memory;
    lines.push('Memory under load (RSS of the process tree, sampled every 100 ms during the runs):', '', '| Server | after warm-up MiB | peak MiB | end of all rounds MiB | growth MiB |', '|---|---|---|---|---|');
    lines.push(`| BigBrain (one process: event loop + detect workers) | ${m.bigbrain.afterWarmupMiB} | ${m.bigbrain.peakMiB} | ${m.bigbrain.endMiB} | ${signed(m.bigbrain.growthMiB)} |`);
    if (m.flask) lines.push(`| Flask + PyTorch (gunicorn master + ${il.flask?.workers ?? 2} workers) | ${m.flask.afterWarmupMiB} | ${m.flask.peakMiB} | ${m.flask.endMiB} | ${signed(m.flask.growthMiB)} |`);
    lines.push('');
    lines.push('<details><summary>Every run, in the order run</summary>', '', '| # | connections | run | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx | peak RSS MiB |', '|---|---|---|---|---|---|---|---|---|---|');
    const every = il.levels.flatMap((l) => [
      ...l.bigbrain.runs.map((x) => ({ x, what: 'BigBrain JPEG' })), ...(l.flask?.runs ?? []).map((x) => ({ x, what: 'Flask JPEG' })), ...(l.dicom?.runs ?? []).map((x) => ({ x, what: 'BigBrain DICOM' })),
    ]).sort((p, q) => (p.x.startedAt ?? '').localeCompare(q.x.startedAt ?? ''));
    every.forEach(({ x, what }, i) => lines.push(`| ${i + 1} | ${x.connections} | ${what} | ${f(x.reqPerSec)} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${x.non2xx} | ${x.peakRssMiB ?? '—'} |`));
    lines.push('', '</details>', '');
  }
  if (s?.start) lines.push(`Start (\`node dist/api/server.mjs\`, PGlite folder already there): "listening" ${s.start.listeningMs} ms after spawn (database open + migrations check, model loaded in the detect worker, side by side), first /health answer ${s.start.firstAnswerMs} ms, first /detect ${s.start.firstDetectMs} ms. First start on an empty folder (PGlite creates the database): ${s.start.firstStartMs} ms. With DATABASE_URL (PostgreSQL through the Neon driver): ${s.start.postgresMs ?? '—'} ms.`, '');

  lines.push('## 4. Reference points', '');
  if (n) {
    lines.push('| Reference | images/s |', '|---|---|');
    for (const x of n.rawBatched) lines.push(`| raw onnxruntime-node, ${x.model}, pre-made tensors, batch ${x.batch}, ${x.threads} thread(s) | ${f(x.imgPerSec)} |`);
    lines.push(`| in-process pipeline ceiling: decode + preprocess + batched inference (best of ${n.pipelineCeiling.tried.map((t) => `${t.workers} worker${t.workers === 1 ? '' : 's'}: ${f(t.imgPerSec)}`).join(', ')}; batch ≤${n.pipelineCeiling.maxBatch}, ${n.pipelineCeiling.concurrency} in flight), no HTTP | ${f(n.pipelineCeiling.imgPerSec)} |`, '');
  }
  if (il?.flask) lines.push(`Flask + PyTorch: eager, gunicorn ${il.flask.workers} workers × ${il.flask.threads} thread (gthread), same contract, token in an in-process dict; figures in the table of section 3.`, '');
  if (s?.ablation?.length) {
    const before = s.ablation[0]!.run.reqPerSec;
    lines.push('### What each server change bought (32 connections, one fresh server each, one run)', '', '| Configuration | env | req/s | × before | p99 ms | errors |', '|---|---|---|---|---|---|');
    for (const a of s.ablation) lines.push(`| ${a.name} | ${Object.entries(a.env).map(([k, v]) => `${k}=${v}`).join(' ') || '(defaults)'} | ${f(a.run.reqPerSec)} | ${ratio(a.run.reqPerSec, before)} | ${a.run.p99} | ${a.run.errors + a.run.non2xx} |`);
    lines.push('');
  }

  lines.push('## 5. Sizes and first visit', '');
  lines.push(`Model: ${mb(r.sizes.modelBytes)} raw, ${mb(r.sizes.modelGzipBytes)} gzip (${pct(r.sizes.modelGzipBytes, r.sizes.modelBytes)}).`);
  if (b?.firstVisit) lines.push(`First visit until "Ready offline" (fresh profile, \`npm start\`'s server, ${b.firstVisit.runtime}): ${mb(b.firstVisit.bytesOnWire)} on the wire (TCP relay, headers included, page + worker + service worker), ${mb(b.firstVisit.cdpEncodedBytes)} by CDP encodedDataLength over ${b.firstVisit.requests} page requests; ${b.firstVisit.seconds} s.`);
  lines.push('');

  if (s?.scaleOut) {
    lines.push('## Scale out: two instances, one PostgreSQL', '');
    lines.push(`A token issued by instance A is honoured by instance B: ${s.scaleOut.tokenAcrossInstances ? 'yes' : 'NO'}. Throughput at 32 connections: one instance ${f(s.scaleOut.one)} req/s, two instances (16 each) ${f(s.scaleOut.two)} req/s (${s.scaleOut.ratio}×; on ${r.machine.cores} cores both share the same CPUs, so this mostly shows nothing is shared by accident). Errors: ${s.scaleOut.errors}.`, '');
  }
  return lines.join('\n');
}

/** Median req/s per level, BigBrain (JPEG, DICOM) vs Flask, with min–max whiskers; the ceilings as lines. */
export function chartSvg(r: Report): string {
  const W = 900, H = 440, pad = 60;
  const s = r.server, n = r.node;
  const levels = s?.interleaved?.levels ?? [];
  const rawHalf = n ? n.rawCeiling.imgPerSec / 2 : undefined;
  const series = (l: InterleavedLevel) => [
    { x: l.bigbrain, colour: '#2b6cb0' }, { x: l.flask, colour: '#dd6b20' }, { x: l.dicom, colour: '#63b3ed' },
  ];
  const max = Math.max(1, ...levels.flatMap((l) => series(l).map((b) => b.x?.reqPerSec.max ?? 0)), n?.pipelineCeiling.imgPerSec ?? 0, rawHalf ?? 0) * 1.1;
  const y = (v: number) => H - pad - ((H - 2 * pad) * v) / max;
  const gw = (W - 2 * pad) / Math.max(1, levels.length);
  const bars: string[] = [];
  levels.forEach((l, i) => {
    const bw = gw * 0.24;
    const x0 = pad + i * gw + gw * 0.1;
    series(l).forEach((b, k) => {
      const x = x0 + k * (bw + 4);
      if (!b.x) {
        bars.push(`<text x="${x + bw / 2}" y="${H - pad - 4}" font-size="11" text-anchor="middle" fill="#999">—</text>`);
        return;
      }
      const { median: m, min, max: hi } = b.x.reqPerSec;
      const cx = x + bw / 2;
      bars.push(`<rect x="${x}" y="${y(m)}" width="${bw}" height="${H - pad - y(m)}" fill="${b.colour}"/>`);
      bars.push(`<line x1="${cx}" x2="${cx}" y1="${y(min)}" y2="${y(hi)}" stroke="#222" stroke-width="1.5"/><line x1="${cx - 6}" x2="${cx + 6}" y1="${y(min)}" y2="${y(min)}" stroke="#222" stroke-width="1.5"/><line x1="${cx - 6}" x2="${cx + 6}" y1="${y(hi)}" y2="${y(hi)}" stroke="#222" stroke-width="1.5"/>`);
      bars.push(`<text x="${cx}" y="${y(hi) - 5}" font-size="12" text-anchor="middle">${round(m, 0)}</text>`);
    });
    bars.push(`<text x="${pad + i * gw + gw / 2}" y="${H - pad + 18}" font-size="13" text-anchor="middle">c=${l.connections}</text>`);
  });
  // One label at the right end, one at the left, so two close lines do not write over each other.
  const line = (v: number | undefined, label: string, colour: string, left = false) =>
    v && v < max ? `<line x1="${pad}" x2="${W - pad}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${left ? pad + 4 : W - pad}" y="${y(v) - 5}" font-size="12" text-anchor="${left ? 'start' : 'end'}" fill="${colour}">${label} ${round(v, 0)}/s</text>` : '';
  const il = s?.interleaved;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${pad}" y="28" font-size="17" font-weight="bold">POST /detect req/s — BigBrain vs Flask+PyTorch, interleaved: median, min–max</text>
<text x="${pad}" y="46" font-size="12" fill="#555">${r.when} · ${r.machine.cores} cores · load ${r.machine.load.map((x) => x.toFixed(1)).join('/')} at start · ${il ? `${il.rounds} round${il.rounds === 1 ? '' : 's'} × ${il.seconds} s per bar` : 'no server phase'}</text>
<line x1="${pad}" x2="${W - pad}" y1="${H - pad}" y2="${H - pad}" stroke="#333"/>
${bars.join('\n')}
${line(n?.pipelineCeiling.imgPerSec, 'in-process pipeline ceiling', '#2f855a')}
${line(rawHalf, '50 % of raw batched inference', '#805ad5', true)}
<rect x="${pad}" y="${H - 22}" width="12" height="12" fill="#2b6cb0"/><text x="${pad + 16}" y="${H - 12}" font-size="12">BigBrain, JPEG</text>
<rect x="${pad + 150}" y="${H - 22}" width="12" height="12" fill="#dd6b20"/><text x="${pad + 166}" y="${H - 12}" font-size="12">Flask + PyTorch (gunicorn 2×1), JPEG</text>
<rect x="${pad + 450}" y="${H - 22}" width="12" height="12" fill="#63b3ed"/><text x="${pad + 466}" y="${H - 12}" font-size="12">BigBrain, DICOM slices (Flask: —)</text>
</svg>`;
}

export async function writeReport(dir: string, r: Report): Promise<void> {
  writeFileSync(`${dir}/report.json`, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(`${dir}/report.md`, markdown(r) + '\n');
  const svg = chartSvg(r);
  writeFileSync(`${dir}/chart.svg`, svg);
  await sharp(Buffer.from(svg)).png().toFile(`${dir}/chart.png`);
}

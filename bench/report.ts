// The report: JSON (everything), Markdown (tables, targets, ratios) and a chart (SVG → PNG with sharp).
import { writeFileSync } from 'node:fs';
import sharp from 'sharp';
import type { BrowserResults } from './browser.ts';
import type { NodeResults } from './node.ts';
import type { ServerResults } from './server.ts';
import { round } from './lib.ts';

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

export function markdown(r: Report): string {
  const n = r.node, b = r.browser, s = r.server;
  const at = (runs: Array<{ connections: number; reqPerSec: number; p99: number }> | undefined, c: number) => runs?.find((x) => x.connections === c);
  const s32 = at(s?.detect?.runs, 32);
  const f32 = at(s?.flask?.runs ?? undefined, 32);
  const ceiling = n?.pipelineCeiling.imgPerSec;
  const raw = n?.rawCeiling.imgPerSec;
  const lines: string[] = [];
  lines.push(`# BigBrain benchmark — ${r.when}`, '');
  lines.push(`Machine: ${r.machine.cpus}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; Node ${r.machine.node}; ${r.machine.chromium ?? 'no Chromium'}; load average at start ${r.machine.load.map((x) => x.toFixed(1)).join(' / ')}. ${r.machine.note}`, '');
  lines.push(`Run took ${Math.round(r.seconds)} s. Absolute times drift on shared machines: read the ratios.`, '');
  if (r.skips.length) lines.push('**Skipped:**', ...r.skips.map((x) => `- ${x}`), '');
  lines.push('![chart](chart.png)', '');

  lines.push('## Targets', '', '| Target | Measured | |', '|---|---|---|');
  const wasm = b?.wasmAll ?? b?.wasm1;
  lines.push(`| Browser WASM model-only ≤ 10 ms median | ${f(b?.wasm1?.median)} ms (1 thread), ${f(b?.wasmAll?.median)} ms (${b?.wasmAll?.threads ?? '?'} threads) | ${ok(wasm ? Math.min(b?.wasm1?.median ?? Infinity, b?.wasmAll?.median ?? Infinity) <= 10 : null)} |`);
  lines.push(`| Browser end-to-end ≤ 40 ms median | ${f(b?.endToEnd?.median)} ms | ${ok(b?.endToEnd ? b.endToEnd.median <= 40 : null)} |`);
  lines.push(`| First visit to offline-ready ≤ 8 MB compressed | ${mb(b?.firstVisit?.bytesOnWire)} on the wire | ${ok(b?.firstVisit ? b.firstVisit.bytesOnWire <= 8e6 : null)} |`);
  lines.push(`| /detect ≥ 5× Flask+PyTorch (c=32) | ${ratio(s32?.reqPerSec, f32?.reqPerSec)} | ${ok(s32 && f32 ? s32.reqPerSec >= 5 * f32.reqPerSec : null)} |`);
  lines.push(`| /detect ≥ 70 % of the in-process pipeline ceiling (c=32) | ${pct(s32?.reqPerSec, ceiling)} (of raw inference: ${pct(s32?.reqPerSec, raw)}) | ${ok(s32 && ceiling ? s32.reqPerSec >= 0.7 * ceiling : null)} |`);
  lines.push(`| /detect p99 ≤ 250 ms at c=32, zero errors | p99 ${f(s32?.p99, 0)} ms, errors ${s?.detect ? s.detect.runs.reduce((a, x) => a + x.errors + x.non2xx, 0) : '—'} | ${ok(s32 ? s32.p99 <= 250 && s!.detect!.runs.every((x) => x.errors + x.non2xx === 0) : null)} |`);
  lines.push(`| Server ready ≤ 2 s after start | ${f(s?.start?.firstAnswerMs, 0)} ms to the first /health answer (restart, PGlite); ${f(s?.start?.postgresMs, 0)} ms on PostgreSQL; first start on an empty folder ${f(s?.start?.firstStartMs, 0)} ms | ${ok(s?.start ? s.start.firstAnswerMs <= 2000 : null)} |`, '');

  lines.push('## 1. Model-only latency per image (ms, after warm-up)', '', '| Runtime | runs | median | p90 | min | × onnxruntime-node |', '|---|---|---|---|---|---|');
  const row = (name: string, x?: { n: number; median: number; p90: number; min: number }) =>
    x && lines.push(`| ${name} | ${x.n} | ${f(x.median, 2)} | ${f(x.p90, 2)} | ${f(x.min, 2)} | ${ratio(x.median, n?.modelOnly.median)} |`);
  row('onnxruntime-node (1 intra-op thread)', n?.modelOnly);
  row('Chromium WASM, 1 thread', b?.wasm1);
  row(`Chromium WASM, ${b?.wasmAll?.threads ?? 'all'} threads (cross-origin isolated: ${b?.wasmAll?.crossOriginIsolated ?? '?'})`, b?.wasmAll);
  row('Chromium WebGPU on SwiftShader — CPU emulation, says nothing about real GPUs', b?.webgpu);
  lines.push('');

  lines.push('## 2. End to end per image: decode → preprocess → inference → result (ms)', '', '| Where | runs | median | p90 | min | of which inference (median) |', '|---|---|---|---|---|---|');
  if (b?.endToEnd) lines.push(`| Browser worker (WASM ×${b.endToEnd.threads}) | ${b.endToEnd.n} | ${f(b.endToEnd.median)} | ${f(b.endToEnd.p90)} | ${f(b.endToEnd.min)} | ${f(b.endToEnd.inference)} |`);
  if (n) lines.push(`| Server process (sharp + TS preprocess + onnxruntime-node), one at a time | ${n.endToEnd.n} | ${f(n.endToEnd.median)} | ${f(n.endToEnd.p90)} | ${f(n.endToEnd.min)} | ${f(n.endToEnd.inference)} (decode ${f(n.endToEnd.decode)}, preprocess ${f(n.endToEnd.preprocess)}) |`);
  lines.push('');

  lines.push('## 3. Server /detect over HTTP (autocannon, real MRIs, multipart, auth-token)', '');
  if (s?.detect) {
    lines.push(`Configuration: ${s.detect.config}. PGlite (embedded) database; every answer is stored in the history.`, '');
    lines.push('| Connections | req/s | p50 ms | p90 ms | p99 ms | errors | non-2xx | peak RSS MiB | × Flask | % of pipeline ceiling | % of raw inference |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const x of s.detect.runs) {
      const fl = at(s.flask?.runs ?? undefined, x.connections);
      lines.push(`| ${x.connections} | ${f(x.reqPerSec)} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.errors} | ${x.non2xx} | ${x.peakRssMiB ?? '—'} | ${ratio(x.reqPerSec, fl?.reqPerSec)} | ${pct(x.reqPerSec, ceiling)} | ${pct(x.reqPerSec, raw)} |`);
    }
    lines.push('', `RSS: ${s.detect.rssAfterWarmupMiB} MiB after warm-up → ${s.detect.rssEndMiB} MiB after the runs (growth ${s.detect.rssEndMiB - s.detect.rssAfterWarmupMiB} MiB); peak ${s.detect.peakRssMiB} MiB.`, '');
  }
  if (s?.start) lines.push(`Start (\`node dist/api/server.mjs\`, PGlite folder already there): "listening" ${s.start.listeningMs} ms after spawn (database open + migrations check, model loaded in the detect worker, side by side), first /health answer ${s.start.firstAnswerMs} ms, first /detect ${s.start.firstDetectMs} ms. First start on an empty folder (PGlite creates the database): ${s.start.firstStartMs} ms. With DATABASE_URL (PostgreSQL through the Neon driver): ${s.start.postgresMs ?? '—'} ms.`, '');

  lines.push('## 4. Reference points', '');
  if (n) {
    lines.push('| Reference | images/s |', '|---|---|');
    for (const x of n.rawBatched) lines.push(`| raw onnxruntime-node, pre-made tensors, batch ${x.batch}, ${x.threads} thread(s) | ${f(x.imgPerSec)} |`);
    lines.push(`| in-process pipeline ceiling: decode + preprocess + batched inference (best of ${n.pipelineCeiling.tried.map((t) => `${t.workers} worker${t.workers === 1 ? '' : 's'}: ${f(t.imgPerSec)}`).join(', ')}; batch ≤${n.pipelineCeiling.maxBatch}, ${n.pipelineCeiling.concurrency} in flight), no HTTP | ${f(n.pipelineCeiling.imgPerSec)} |`, '');
  }
  if (s?.flask) {
    lines.push('Flask + PyTorch (eager, gunicorn 2 workers × 1 thread, same contract, token in an in-process dict):', '', '| Connections | req/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MiB (all workers) |', '|---|---|---|---|---|---|---|');
    for (const x of s.flask.runs) lines.push(`| ${x.connections} | ${f(x.reqPerSec)} | ${x.p50} | ${x.p99} | ${x.errors} | ${x.non2xx} | ${x.peakRssMiB ?? '—'} |`);
    lines.push('');
  }
  if (s?.ablation?.length) {
    const before = s.ablation[0]!.run.reqPerSec;
    lines.push('### What each server change bought (32 connections, one fresh server each)', '', '| Configuration | env | req/s | × before | p99 ms | errors |', '|---|---|---|---|---|---|');
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

export function chartSvg(r: Report): string {
  const W = 900, H = 420, pad = 60;
  const s = r.server, n = r.node;
  const node = s?.detect?.runs ?? [];
  const flask = s?.flask?.runs ?? [];
  const cs = node.map((x) => x.connections);
  const max = Math.max(1, ...node.map((x) => x.reqPerSec), ...flask.map((x) => x.reqPerSec), n?.pipelineCeiling.imgPerSec ?? 0) * 1.1;
  const y = (v: number) => H - pad - ((H - 2 * pad) * v) / max;
  const gw = (W - 2 * pad) / Math.max(1, cs.length);
  const bars: string[] = [];
  cs.forEach((c, i) => {
    const x0 = pad + i * gw + gw * 0.15;
    const bw = gw * 0.33;
    const a = node[i]!.reqPerSec, b = flask.find((x) => x.connections === c)?.reqPerSec ?? 0;
    bars.push(`<rect x="${x0}" y="${y(a)}" width="${bw}" height="${H - pad - y(a)}" fill="#2b6cb0"/><text x="${x0 + bw / 2}" y="${y(a) - 4}" font-size="12" text-anchor="middle">${round(a, 0)}</text>`);
    bars.push(`<rect x="${x0 + bw + 4}" y="${y(b)}" width="${bw}" height="${H - pad - y(b)}" fill="#dd6b20"/><text x="${x0 + bw * 1.5 + 4}" y="${y(b) - 4}" font-size="12" text-anchor="middle">${round(b, 0)}</text>`);
    bars.push(`<text x="${pad + i * gw + gw / 2}" y="${H - pad + 18}" font-size="13" text-anchor="middle">c=${c}</text>`);
  });
  const line = (v: number | undefined, label: string, colour: string) =>
    v && v < max ? `<line x1="${pad}" x2="${W - pad}" y1="${y(v)}" y2="${y(v)}" stroke="${colour}" stroke-dasharray="6 4"/><text x="${W - pad}" y="${y(v) - 5}" font-size="12" text-anchor="end" fill="${colour}">${label} ${round(v, 0)}/s</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${pad}" y="28" font-size="17" font-weight="bold">POST /detect throughput (req/s) — BigBrain Node vs Flask+PyTorch</text>
<text x="${pad}" y="46" font-size="12" fill="#555">${r.when} · ${r.machine.cores} cores · load ${r.machine.load.map((x) => x.toFixed(1)).join('/')} at start</text>
<line x1="${pad}" x2="${W - pad}" y1="${H - pad}" y2="${H - pad}" stroke="#333"/>
${bars.join('\n')}
${line(n?.pipelineCeiling.imgPerSec, 'in-process pipeline ceiling', '#2f855a')}
<rect x="${pad}" y="${H - 22}" width="12" height="12" fill="#2b6cb0"/><text x="${pad + 16}" y="${H - 12}" font-size="12">BigBrain (Node, dynamic batching)</text>
<rect x="${pad + 300}" y="${H - 22}" width="12" height="12" fill="#dd6b20"/><text x="${pad + 316}" y="${H - 12}" font-size="12">Flask + PyTorch (gunicorn 2×1)</text>
</svg>`;
}

export async function writeReport(dir: string, r: Report): Promise<void> {
  writeFileSync(`${dir}/report.json`, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(`${dir}/report.md`, markdown(r) + '\n');
  const svg = chartSvg(r);
  writeFileSync(`${dir}/chart.svg`, svg);
  await sharp(Buffer.from(svg)).png().toFile(`${dir}/chart.png`);
}

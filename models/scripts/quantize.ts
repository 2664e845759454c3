// npm run quantize: the server's int8 build of the shipped model (static QDQ: uint8 activations, int8 per-channel
// weights), calibrated on the training split only, kept only if every validation figure of the fp32 model stays
// inside its 95 % interval. Writes public/models/bigbrain-<version>-int8.onnx and card.json → int8 (the figures
// below). The browser keeps the fp32 file; package-model.ts drops the int8 entry, since new weights need a new build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { INPUT_CHANNELS, INPUT_SIZE, IO_NAMES } from '../core/contract.ts';
import { interpret } from '../core/interpret.ts';
import { DECISION, MODEL_CARD, MODEL_FILE } from '../core/model.ts';
import { preprocess } from '../core/preprocess.ts';
import { createClassifier, DEFAULT_MODEL_PATH } from '../node/classifier.ts';
import { decodeImage } from '../node/decode.ts';
import { withInt8Section, type Int8Card } from './int8-section.ts';
import { metrics, predictRows, readSplits, type Prediction, type Rate, type SplitRow } from '../node/evaluate.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data' },
    nonmri: { type: 'string', default: '.cache/nonmri' },
    splits: { type: 'string', default: 'models/splits/splits.csv' },
    calibration: { type: 'string', default: '600' },
  },
});

const PY = '/usr/bin/python3';
const GRAPH = 'models/train/quantize_graph.py';
const file = MODEL_FILE.replace(/\.onnx$/, '-int8.onnx');
const out = join('public', file);
const tmp = mkdtempSync(join(tmpdir(), 'bigbrain-quantize-'));
const py = (...a: string[]) => {
  const r = spawnSync(PY, [GRAPH, ...a], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${GRAPH} ${a[0]} failed (Debian's python3-onnx and python3-numpy are needed)`);
};

const rows = readSplits(args.splits!).filter((r) => r.source !== 'nonmri' || existsSync(join(args.nonmri!, r.path)));
const pathOf = (r: SplitRow) => join(r.source === 'nonmri' ? args.nonmri! : args.data!, r.path);

// 1. Activation ranges (min–max) on an even spread of the training split, every source.
const train = rows.filter((r) => r.split === 'train');
const wanted = Number(args.calibration);
const calibration = train.filter((_, i) => i % Math.max(1, Math.floor(train.length / wanted)) === 0).slice(0, wanted);
py('expose', DEFAULT_MODEL_PATH, join(tmp, 'exposed.onnx'));
const exposed = await ort.InferenceSession.create(join(tmp, 'exposed.onnx'), { intraOpNumThreads: 2 });
const ranges: Record<string, [number, number]> = {};
const pixels = INPUT_SIZE * INPUT_SIZE * INPUT_CHANNELS;
const tensors: Float32Array[] = [];
for (const r of calibration) {
  try {
    tensors.push(preprocess(await decodeImage(readFileSync(pathOf(r)))).tensor);
  } catch {
    // too small or unreadable: the server refuses it before the model, so it says nothing about the model's ranges
  }
}
for (let i = 0; i < tensors.length; i += 32) {
  const chunk = tensors.slice(i, i + 32);
  const input = new Float32Array(chunk.length * pixels);
  chunk.forEach((t, k) => input.set(t, k * pixels));
  const outputs = await exposed.run({ [IO_NAMES.input]: new ort.Tensor('float32', input, [chunk.length, INPUT_CHANNELS, INPUT_SIZE, INPUT_SIZE]) });
  for (const [name, t] of Object.entries(outputs)) {
    if (Object.values(IO_NAMES).includes(name as never)) continue;
    const d = t.data as Float32Array;
    let lo = ranges[name]?.[0] ?? Infinity, hi = ranges[name]?.[1] ?? -Infinity;
    for (let j = 0; j < d.length; j++) { const v = d[j]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    ranges[name] = [lo, hi];
  }
}
await exposed.release();
writeFileSync(join(tmp, 'ranges.json'), JSON.stringify(ranges));

// 2. The QDQ graph.
const candidate = join(tmp, 'int8.onnx');
py('qdq', DEFAULT_MODEL_PATH, join(tmp, 'ranges.json'), candidate);

// 3. Validation: fp32 and int8 on the same images; every headline figure of int8 inside fp32's interval.
// Images the server refuses before the model (under 64 px a side) are left out: they get no answer from either build.
const readable = async (r: SplitRow) => { try { preprocess(await decodeImage(readFileSync(pathOf(r)))); return true; } catch { return false; } };
const val: SplitRow[] = [];
for (const r of rows.filter((x) => x.split === 'val')) if (await readable(r)) val.push(r);
const predict = async (path: string) => {
  const c = await createClassifier(path, { threads: 2 });
  try { return await predictRows(c, val, { data: args.data!, nonmri: args.nonmri! }); } finally { await c.release(); }
};
const [fp32, int8] = [await predict(DEFAULT_MODEL_PATH), await predict(candidate)];
const [m32, m8] = [metrics(fp32, DECISION), metrics(int8, DECISION)];
const headline = (m: ReturnType<typeof metrics>): Record<string, Rate> => ({
  binaryAccuracy: m.brainMri.binaryAccuracy, tumourSensitivity: m.brainMri.tumourSensitivity, specificity: m.brainMri.specificity,
  fourClassAccuracy: m.brainMri.fourClassAccuracy, otherSourceSensitivity: m.brainMriBinary.tumourSensitivity, nonMriRejected: m.nonMri.rejected,
});
const [h32, h8] = [headline(m32), headline(m8)];
const outside = Object.keys(h32).filter((k) => h8[k]!.value < h32[k]!.low || h8[k]!.value > h32[k]!.high);

const answer = (p: Prediction) => interpret({ probabilities: p.probabilities, mriProbability: p.mriProbability, colourfulness: p.colourfulness }, DECISION, MODEL_CARD);
let sameResult = 0, sameLabel = 0, sameUncertain = 0, maxDelta = 0;
fp32.forEach((p, i) => {
  const a = answer(p), b = answer(int8[i]!);
  if (a.result === b.result) sameResult++;
  if (a.label === b.label) sameLabel++;
  if (a.uncertain === b.uncertain) sameUncertain++;
  for (let k = 0; k < 4; k++) maxDelta = Math.max(maxDelta, Math.abs(p.probabilities[k]! - int8[i]!.probabilities[k]!));
});

// 4. Model-only time per image, one intra-op thread (the server's setting), batch 1 and 16.
async function msPerImage(path: string, batch: number): Promise<number> {
  const c = await createClassifier(path, { threads: 1 });
  const tensors = Array.from({ length: batch }, () => new Float32Array(pixels).fill(0.3));
  for (let i = 0; i < 20; i++) await c.run(tensors);
  const runs = Math.ceil(800 / batch);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await c.run(tensors);
  const ms = (performance.now() - t0) / (runs * batch);
  await c.release();
  return Math.round(ms * 1000) / 1000;
}
const speed = {
  fp32: { batch1: await msPerImage(DEFAULT_MODEL_PATH, 1), batch16: await msPerImage(DEFAULT_MODEL_PATH, 16) },
  int8: { batch1: await msPerImage(candidate, 1), batch16: await msPerImage(candidate, 16) },
};

const report = {
  file,
  calibration: { split: 'train', images: tensors.length, method: 'min-max activation ranges; QDQ: uint8 asymmetric activations, int8 symmetric per-channel Conv weights, int32 biases (models/train/quantize_graph.py)' },
  validation: { images: val.length, fp32: h32, int8: h8 },
  agreement: { images: val.length, sameResult, sameLabel, sameUncertain, maxAbsProbabilityDelta: Math.round(maxDelta * 1e4) / 1e4 },
  msPerImage: speed,
};
console.log(JSON.stringify(report, null, 2));
if (outside.length) {
  console.error(`int8 not kept: ${outside.join(', ')} left the fp32 model's 95 % interval on validation.`);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
const bytes = readFileSync(candidate);
writeFileSync(out, bytes);
const card = JSON.parse(readFileSync('models/card.json', 'utf8')) as Record<string, unknown>;
card.int8 = { ...report, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: statSync(out).size, forSha256: MODEL_CARD.sha256 };
writeFileSync('models/card.json', JSON.stringify(card, null, 2) + '\n');
writeFileSync('models/MODEL_CARD.md', withInt8Section(readFileSync('models/MODEL_CARD.md', 'utf8'), card.int8 as Int8Card));
rmSync(tmp, { recursive: true, force: true });
console.log(`kept: ${out} (${bytes.length} bytes); card.json → int8 and its MODEL_CARD.md section written`);

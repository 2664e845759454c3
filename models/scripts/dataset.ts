// Runs the shared preprocessing pipeline over the data folders and writes what the
// Python trainer reads: uint8 crops (.npy, gzip) + one JSON line of metadata per crop.
// Also writes the committed split list (models/splits/splits.csv).
//
//   npm run dataset [-- --data ../shared/data --out .cache/dataset --smoke]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { INPUT_SIZE } from '../core/contract.ts';
import { preprocess } from '../core/preprocess.ts';
import { dHash, hammingDistance } from '../core/phash.ts';
import { decodeImage } from '../node/decode.ts';
import { listImages } from '../node/files.ts';
import { npy } from './npy.ts';
import { assignSplits, groupNearDuplicates, type SplitItem } from './splits.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data' },
    nonmri: { type: 'string', default: '.cache/nonmri' },
    out: { type: 'string', default: '.cache/dataset' },
    splits: { type: 'string', default: 'models/splits/splits.csv' },
    smoke: { type: 'boolean', default: false },
    variants: { type: 'string', default: '1' },
  },
});

interface Item {
  path: string; // relative to the data folder (or non-MRI folder)
  source: 'brain-mri' | 'brain-mri-binary' | 'nonmri';
  label: string; // glioma|meningioma|pituitary|notumor|tumor|nonmri
  category: string; // non-MRI category, else the label
  bytes: Uint8Array;
}

function collect(): Item[] {
  const items: Item[] = [];
  const data = args.data!;
  const take = <T,>(xs: T[]) => (args.smoke ? xs.filter((_, i) => i % 60 === 0) : xs);
  for (const label of ['glioma', 'meningioma', 'pituitary', 'notumor']) {
    for (const f of take(listImages([join(data, 'brain-mri/Training', label)]))) {
      items.push({ path: relative(data, f), source: 'brain-mri', label, category: label, bytes: readFileSync(f) });
    }
  }
  for (const f of take(listImages([join(data, 'brain-mri-binary/tumor')]))) {
    items.push({ path: relative(data, f), source: 'brain-mri-binary', label: 'tumor', category: 'tumor', bytes: readFileSync(f) });
  }
  if (existsSync(args.nonmri!)) {
    for (const f of take(listImages([args.nonmri!]))) {
      const category = basename(dirname(f));
      items.push({ path: relative(args.nonmri!, f), source: 'nonmri', label: 'nonmri', category, bytes: readFileSync(f) });
    }
  } else {
    console.warn(`no non-MRI images at ${args.nonmri} (run: npm run nonmri)`);
  }
  return items;
}

// Pre-crop augmentation the trainer cannot do on crops: rescale, black borders, JPEG re-compression.
async function variant(bytes: Uint8Array, seed: number): Promise<Uint8Array> {
  const rnd = mulberry32(seed);
  const img = sharp(bytes).rotate();
  const meta = await img.metadata();
  const scale = 0.3 + rnd() * 0.7;
  const w = Math.max(32, Math.round((meta.width ?? 224) * scale));
  const pad = () => Math.round(rnd() * w * 0.25);
  return new Uint8Array(await img
    .resize({ width: w })
    .extend({ top: pad(), bottom: pad(), left: pad(), right: pad(), background: '#000' })
    .jpeg({ quality: Math.round(20 + rnd() * 70) })
    .toBuffer());
}

function mulberry32(a: number) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


const started = performance.now();
const items = collect();
console.log(`${items.length} images`);

// Exact duplicates first (sha256), keeping the first of each.
const seen = new Map<string, number>();
const unique: Array<Item & { sha256: string }> = [];
let duplicates = 0;
for (const it of items) {
  const sha256 = createHash('sha256').update(it.bytes).digest('hex');
  if (seen.has(sha256)) { duplicates++; continue; }
  seen.set(sha256, unique.length);
  unique.push({ ...it, sha256 });
}
console.log(`${duplicates} byte-identical duplicates dropped, ${unique.length} unique`);

const crops: Uint8Array[] = [];
const meta: Array<Record<string, unknown>> = [];
const splitItems: SplitItem[] = [];
const failed: string[] = [];
const sourceOf: number[] = []; // meta row → its entry in `unique`
for (const [i, it] of unique.entries()) {
  try {
    const p = preprocess(await decodeImage(it.bytes));
    crops.push(p.pixels);
    splitItems.push({ key: `${it.source}/${it.path}`, stratum: `${it.source}/${it.category}`, hash: dHash(p.pixels, p.size), sha256: it.sha256 });
    meta.push({ path: it.path, source: it.source, label: it.label, category: it.category, colourfulness: +p.colourfulness.toFixed(2) });
    sourceOf.push(i);
  } catch (e) {
    failed.push(`${it.path}: ${(e as Error).message}`);
  }
  if (i % 1000 === 0) console.log(`  preprocessed ${i}/${unique.length}`);
}
if (failed.length) console.warn(`${failed.length} unreadable:\n  ${failed.join('\n  ')}`);

const families = meta.map((m) => (m.source === 'nonmri' ? `${m.category}/${basename(m.path as string).split('__')[0]}` : null));
const groups = groupNearDuplicates(splitItems.map((s) => s.hash), (a, b) => hammingDistance(a, b) <= 2, families, families.map((f) => f === null));
const splits = assignSplits(splitItems, groups, { train: 0.7, val: 0.13 });
const sizes = new Map<number, number>();
for (const g of groups) sizes.set(g, (sizes.get(g) ?? 0) + 1);
const multi = [...sizes.values()].filter((n) => n > 1);
const crossFolder = new Set(groups.filter((g, i) => meta[i]!.source === 'brain-mri-binary' && meta[g]!.source === 'brain-mri'));
console.log(`${sizes.size} groups: ${multi.length} hold near-duplicates (largest ${Math.max(...multi, 1)}), ${crossFolder.size} span both MRI folders`);

meta.forEach((m, i) => { m.split = splits[i]; m.group = groups[i]; m.variant = 0; });

// Augmented variants of training MRIs.
const nVariants = Number(args.variants);
const nOriginal = meta.length;
for (let v = 1; v <= nVariants; v++) {
  for (let i = 0; i < nOriginal; i++) {
    const m = meta[i]!;
    if (m.split !== 'train' || m.source === 'nonmri') continue;
    const it = unique[sourceOf[i]!]!;
    const p = preprocess(await decodeImage(await variant(it.bytes, i * 7919 + v)));
    crops.push(p.pixels);
    meta.push({ ...m, variant: v });
  }
  console.log(`  variant ${v} done (${meta.length} crops)`);
}

mkdirSync(args.out!, { recursive: true });
const all = new Uint8Array(crops.length * INPUT_SIZE * INPUT_SIZE);
crops.forEach((c, i) => all.set(c, i * INPUT_SIZE * INPUT_SIZE));
writeFileSync(join(args.out!, 'crops.npy.gz'), gzipSync(npy(all, [crops.length, INPUT_SIZE, INPUT_SIZE]), { level: 6 }));
writeFileSync(join(args.out!, 'meta.jsonl'), meta.map((m) => JSON.stringify(m)).join('\n') + '\n');

if (!args.smoke) {
  const header = 'split,source,path,sha256,dhash,group\n';
  const rows = splitItems.map((s, i) => {
    const [src, ...rest] = s.key.split('/');
    return `${splits[i]},${src},${rest.join('/')},${s.sha256},${s.hash[1].toString(16).padStart(8, '0')}${s.hash[0].toString(16).padStart(8, '0')},${groups[i]}`;
  });
  mkdirSync(dirname(args.splits!), { recursive: true });
  writeFileSync(args.splits!, header + rows.join('\n') + '\n');
}
const count = (s: string) => meta.filter((m) => m.split === s && m.variant === 0).length;
console.log(`train ${count('train')} / val ${count('val')} / test ${count('test')}; ${crops.length} crops written to ${args.out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);

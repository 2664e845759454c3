// npx tsx models/scripts/size-floor.ts: the figures behind the image size floor (MIN_SIDE, models/core/limits.ts) in
// the model card. Internal-test MRIs downscaled to a given shorter side, and the desktop icon theme's PNGs at each of
// their sizes, through the pipeline with the floor lifted (the floor itself would refuse them all).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { MIN_SIDE } from '../core/limits.ts';
import { findCropBox, resizeToSquare, toGrey, toTensor, type Pixels, type Preprocessed } from '../core/preprocess.ts';
import { INPUT_SIZE } from '../core/contract.ts';
import { createClassifier } from '../node/classifier.ts';
import { decodeImage } from '../node/decode.ts';
import { readSplits, truthOf } from '../node/evaluate.ts';

const DATA = resolve(import.meta.dirname, '../../../shared/data');
const ICONS = '/usr/share/icons';

/** preprocess() without validatePixels' floor: the same crop, resize and tensor. */
function unfloored(px: Pixels): Preprocessed {
  const { grey, colourfulness } = toGrey(px);
  const crop = findCropBox(grey, px.width, px.height);
  const pixels = resizeToSquare(grey, px.width, crop, INPUT_SIZE);
  return { pixels, tensor: toTensor(pixels), size: INPUT_SIZE, crop, colourfulness };
}

const classifier = await createClassifier(undefined, { threads: 2 });
const run = async (bytes: Uint8Array) => (await classifier.analyse([unfloored(await decodeImage(bytes))]))[0]!;
const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)} %`;

console.log(`floor: ${MIN_SIDE} px on the shorter side`);
const rows = readSplits(resolve(import.meta.dirname, '../splits/splits.csv')).filter((r) => r.split === 'test' && r.source === 'brain-mri');
if (existsSync(join(DATA, 'brain-mri'))) {
  for (const side of [0, 128, 96, 64, 48, 32]) {
    let binary = 0, four = 0, refused = 0;
    for (const r of rows) {
      let bytes: Uint8Array = readFileSync(join(DATA, r.path));
      if (side) {
        const { width = 1, height = 1 } = await sharp(bytes).metadata();
        const k = side / Math.min(width, height);
        bytes = await sharp(bytes).resize(Math.max(1, Math.round(width * k)), Math.max(1, Math.round(height * k)), { kernel: 'lanczos3' }).png().toBuffer();
      }
      const a = await run(bytes);
      const truth = truthOf(r);
      if (a.result === 'Not a brain MRI') { refused++; continue; }
      if ((a.result === 'Tumor') === (truth !== 'notumor')) binary++;
      if (a.label === truth) four++;
    }
    console.log(`internal-test MRIs at ${side ? `${side} px` : 'full size'}: tumour / no tumour ${pct(binary, rows.length)}, 4-class ${pct(four, rows.length)}, refused as not an MRI ${pct(refused, rows.length)} (n = ${rows.length})`);
  }
} else {
  console.warn(`no MRI data under ${DATA}`);
}

if (existsSync(ICONS)) {
  for (const size of [16, 24, 32, 48, 64, 96, 256]) {
    const files = execFileSync('find', [ICONS, '-path', `*/${size}x${size}/*`, '-name', '*.png'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    if (!files.length) continue;
    let passed = 0, tumour = 0;
    for (const f of files) {
      try {
        const a = await run(readFileSync(f));
        if (a.result !== 'Not a brain MRI') passed++;
        if (a.result === 'Tumor') tumour++;
      } catch {
        /* an unreadable icon counts as refused */
      }
    }
    console.log(`${size} px icons: ${passed} of ${files.length} passed the MRI check, ${tumour} called Tumor`);
  }
}
await classifier.release();

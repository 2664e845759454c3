// The model card's "Server int8 build" section, from card.json → int8 (written by quantize.ts), kept between markers
// in MODEL_CARD.md so quantize.ts can replace it.
import type { Rate } from '../node/evaluate.ts';

export interface Int8Card {
  file: string;
  sha256: string;
  bytes: number;
  calibration: { split: string; images: number; method: string };
  validation: { images: number; fp32: Record<string, Rate>; int8: Record<string, Rate> };
  agreement: { images: number; sameResult: number; sameLabel: number; sameUncertain: number; maxAbsProbabilityDelta: number };
  msPerImage: { fp32: { batch1: number; batch16: number }; int8: { batch1: number; batch16: number } };
}

export const INT8_START = '<!-- int8 (models/scripts/quantize.ts) -->';
export const INT8_END = '<!-- /int8 -->';

const pct = (r: Rate) => `${(100 * r.value).toFixed(1)} % (${(100 * r.low).toFixed(1)}–${(100 * r.high).toFixed(1)})`;
const NAMES: Record<string, string> = {
  binaryAccuracy: 'Binary accuracy (brain-mri)', tumourSensitivity: 'Tumour sensitivity', specificity: 'Specificity',
  fourClassAccuracy: '4-class accuracy', otherSourceSensitivity: 'Sensitivity, other source (brain-mri-binary)', nonMriRejected: 'Non-MRI refused',
};

export function int8Markdown(c: Int8Card): string {
  const a = c.agreement;
  return [
    INT8_START,
    '## Server int8 build',
    `The server runs \`public/${c.file}\` (${(c.bytes / 1024).toFixed(0)} KiB, sha256 \`${c.sha256.slice(0, 16)}…\`) by default (\`MODEL_PRECISION=int8\`;`,
    '`fp32` runs the file the browser runs). Same weights, quantised after training: ' + c.calibration.method + ',',
    `calibrated on ${c.calibration.images} images of the **training** split. It is kept only when every validation figure below stays inside`,
    "the fp32 model's 95 % interval (`npm run quantize` refuses it otherwise). The PWA keeps the fp32 file (WebGPU runs float kernels).",
    '',
    `| Validation (${c.validation.images} images) | fp32 | int8 |`,
    '|---|---|---|',
    ...Object.keys(c.validation.fp32).map((k) => `| ${NAMES[k] ?? k} | ${pct(c.validation.fp32[k]!)} | ${pct(c.validation.int8[k]!)} |`),
    '',
    `Agreement with fp32 on the same ${a.images} validation images: same result (Tumor / No Tumor / Not a brain MRI) on ${a.sameResult}, same`,
    `label on ${a.sameLabel}, same uncertain flag on ${a.sameUncertain}; the largest difference of any class probability ${a.maxAbsProbabilityDelta}.`,
    `Model-only time per image, one thread: fp32 ${c.msPerImage.fp32.batch1} ms (batch 1) / ${c.msPerImage.fp32.batch16} ms (batch 16); int8`,
    `${c.msPerImage.int8.batch1} / ${c.msPerImage.int8.batch16} ms. A device analysing an image and the server analysing the same image can`,
    'therefore differ slightly in the probabilities they show (rarely in the label), never so far on validation in the result.',
    INT8_END,
  ].join('\n');
}

/** MODEL_CARD.md with the section replaced (or appended). */
export function withInt8Section(markdown: string, c: Int8Card): string {
  const start = markdown.indexOf(INT8_START), end = markdown.indexOf(INT8_END);
  const section = int8Markdown(c);
  if (start >= 0 && end > start) return markdown.slice(0, start) + section + markdown.slice(end + INT8_END.length);
  return `${markdown.trimEnd()}\n\n${section}\n`;
}

// The healthy real-scanner DICOM slices as no-tumour training data, in the format train.py reads (--extra): read with
// the project's own DICOM reader (models/core/dicom) and the shared preprocessing, exactly as the product reads them.
// Native sagittal slices and the 3D volumes resliced into axial and coronal (every --step-mm along the new normal);
// slices at the very edge of the volume (position > --max-position, or a head crop under --min-extent mm) are left
// out. Each row names its person, so train.py can hold one out (leave-one-person-out) — split by person, never by slice.
//
//   npx tsx models/scripts/dicom-dataset.ts [--data ../shared/data/brain-mri-normal-dicom] [--out .cache/dicom-normal]
// Writes under .cache only: never copy these images, or crops made from them, into the repository.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { INPUT_SIZE } from '../core/contract.ts';
import { preprocess } from '../core/preprocess.ts';
import { sliceFacts } from '../core/scope.ts';
import { healthySlices } from './healthy-dicom.ts';
import { npy } from './npy.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/brain-mri-normal-dicom' },
    out: { type: 'string', default: '.cache/dicom-normal' },
    'step-mm': { type: 'string', default: '2' },
    'max-position': { type: 'string', default: '0.9' },
    'min-extent': { type: 'string', default: '100' },
  },
});
const stepMm = Number(args['step-mm']), maxPosition = Number(args['max-position']), minExtent = Number(args['min-extent']);

const crops: Uint8Array[] = [];
const meta: Array<Record<string, unknown>> = [];
let skipped = 0;
for await (const series of healthySlices(args.data!)) {
  for (const s of series) {
    if (s.plane !== 'native') {
      const every = Math.max(1, Math.round(stepMm / (s.meta.pixelSpacing?.[0] ?? 1)));
      if (s.index % every !== 0) continue;
    }
    const p = preprocess(s.pixels);
    const f = sliceFacts(s.meta, { index: s.index, count: s.count }, { crop: p.crop, width: s.pixels.width, height: s.pixels.height });
    if ((f.position ?? 0) > maxPosition || (f.headExtentMm ?? Infinity) < minExtent) { skipped++; continue; }
    crops.push(p.pixels);
    meta.push({
      path: `${s.series}/${s.name}`, source: 'normal-dicom', label: 'notumor', category: f.orientation ?? 'unknown',
      person: s.person, plane: s.plane, split: 'train', group: -1, variant: 0, colourfulness: 0,
    });
  }
}
mkdirSync(args.out!, { recursive: true });
const all = new Uint8Array(crops.length * INPUT_SIZE * INPUT_SIZE);
crops.forEach((c, i) => all.set(c, i * INPUT_SIZE * INPUT_SIZE));
writeFileSync(join(args.out!, 'crops.npy.gz'), gzipSync(npy(all, [crops.length, INPUT_SIZE, INPUT_SIZE]), { level: 6 }));
writeFileSync(join(args.out!, 'meta.jsonl'), meta.map((m) => JSON.stringify(m)).join('\n') + '\n');
const by = (k: string) => Object.entries(meta.reduce<Record<string, number>>((a, m) => ({ ...a, [String(m[k])]: (a[String(m[k])] ?? 0) + 1 }), {})).map(([v, n]) => `${v} ${n}`).join(', ');
console.log(`${crops.length} healthy DICOM crops (${skipped} edge slices left out) → ${args.out}: ${by('person')}; ${by('category')}`);

// npm run classify -- [--heatmap] [--overlay] <files or folders>: one JSON line per image; exit 1 if any file failed.
// --series [--slices] <folders | files | DICOMDIR>: one line per series instead (classify-series.ts).
// --heatmap adds the evidence map, --overlay also that map over the crop as a PNG data URL (as POST /detect?overlay=1).
import { readFileSync } from 'node:fs';
import { DicomError } from '../core/dicom/index.ts';
import { createClassifier } from '../node/classifier.ts';
import { detectInline } from '../node/detect-inline.ts';
import { listImages } from '../node/files.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.includes('--series')) {
  // --series [--slices]: one line per series (models/scripts/classify-series.ts).
  const { classifySeries } = await import('./classify-series.ts');
  process.exit(await classifySeries(args));
}
const options = { heatmap: args.includes('--heatmap'), overlay: args.includes('--overlay') };
const paths = args.filter((a) => a !== '--heatmap' && a !== '--overlay');
if (paths.length === 0) {
  console.error('usage: npm run classify -- [--heatmap] [--overlay] <image files or folders>');
  process.exit(2);
}
let files: string[] = [];
let failed = 0;
for (const p of paths) {
  try {
    files = files.concat(listImages([p], true));
  } catch (e) {
    console.log(JSON.stringify({ file: p, error: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or folder.' : (e as Error).message }));
    failed++;
  }
}
const classifier = await createClassifier();
for (const file of files) {
  const started = performance.now();
  try {
    // A refused image ("Not a brain MRI") prints label, probabilities and tumorProbability as null, and no heat map;
    // so does a DICOM slice outside the validated use ("Outside validated use", with `outside`: why).
    // A DICOM file (found by content, whatever its name) adds its dicom block; a multi-frame one prints a line a frame.
    const answer = await detectInline(classifier, readFileSync(file), options);
    const ms = Math.round((performance.now() - started) * 10) / 10;
    for (const a of answer.frames ?? [answer]) {
      const { result, label, probabilities, tumorProbability, uncertain, model, heatmap, overlay } = a;
      // A DICOM slice outside the validated use: result "Outside validated use", no diagnosis, and why (`outside`).
      const outside = a.result === 'Outside validated use' ? a.outside : undefined;
      const dicom = answer.dicom && { ...answer.dicom, ...('window' in a ? { window: a.window } : {}) };
      console.log(JSON.stringify({ file, frame: answer.frames ? a.frame : undefined, result, outside, label, probabilities, tumorProbability, uncertain, model, ms, heatmap, overlay, dicom }));
    }
  } catch (e) {
    if (e instanceof DicomError && e.code === 'not_mri') {
      // Another modality (CT, PET …): an answer, not a failure; no diagnosis.
      console.log(JSON.stringify({ file, result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null, reason: e.message, code: e.code }));
      continue;
    }
    // code: the same stable code the server answers with (too_small, corrupt_image, unsupported_type, …).
    console.log(JSON.stringify({ file, error: (e as Error).message, code: (e as { code?: string }).code }));
    failed++;
  }
}
await classifier.release();
process.exit(failed ? 1 : 0);

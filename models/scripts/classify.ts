// npm run classify -- [--heatmap] [--overlay] <files or folders>: one JSON line per image; exit 1 if any file failed.
// --series [--slices] <folders | files | DICOMDIR>: one line per series instead (classify-series.ts).
// --dicomweb <DICOMweb root> [--study UID]… [--series [--slices]]: the same lines for studies pulled from a PACS
// (classify-dicomweb.ts), each file named dicomweb:<study UID>/<series UID>/<SOP Instance UID>.
// --heatmap adds the evidence map, --overlay also that map over the crop as a PNG data URL (as POST /detect?overlay=1).
import { readFileSync } from 'node:fs';
import { createClassifier } from '../node/classifier.ts';
import { listImages } from '../node/files.ts';
import { fileLines } from './classify-file.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.includes('--dicomweb')) {
  // --dicomweb <root> [--study UID]… [--series [--slices]]: the same lines for studies pulled from a PACS (classify-dicomweb.ts).
  const { classifyDicomweb } = await import('./classify-dicomweb.ts');
  process.exit(await classifyDicomweb(args));
}
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
  const { lines, failed: bad } = await fileLines(classifier, file, readFileSync(file), options);
  for (const line of lines) console.log(JSON.stringify(line));
  if (bad) failed++;
}
await classifier.release();
process.exit(failed ? 1 : 0);

// npm run classify -- <files or folders>: one JSON line per image; exit 1 if any file failed.
import { readFileSync } from 'node:fs';
import { preprocess } from '../core/preprocess.ts';
import { createClassifier } from '../node/classifier.ts';
import { decodeImage } from '../node/decode.ts';
import { listImages } from '../node/files.ts';

const paths = process.argv.slice(2).filter((a) => a !== '--');
if (paths.length === 0) {
  console.error('usage: npm run classify -- <image files or folders>');
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
    const [a] = await classifier.analyse([preprocess(await decodeImage(readFileSync(file)))]);
    const { result, label, probabilities, tumorProbability, uncertain, model } = a!;
    console.log(JSON.stringify({ file, result, label, probabilities, tumorProbability, uncertain, model, ms: Math.round((performance.now() - started) * 10) / 10 }));
  } catch (e) {
    console.log(JSON.stringify({ file, error: (e as Error).message }));
    failed++;
  }
}
await classifier.release();
process.exit(failed ? 1 : 0);

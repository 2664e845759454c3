// npm run classify -- --series [--slices] [--heatmap] <folders, files or DICOMDIRs>: one JSON line per series (Study → Series by
// UIDs, slices ordered along the slice normal, one verdict by the model card's series rule); --slices adds each
// slice's line after its series; --heatmap adds each key slice's evidence map. Non-DICOM files and DICOM without pixel data (DICOMDIR, SR …) are skipped and
// counted on stderr; a DICOMDIR's referenced files are followed. No patient data is printed.
import { readFileSync } from 'node:fs';
import { createClassifier } from '../node/classifier.ts';
import { createBatchingDetector } from '../node/detect-inline.ts';
import { listSeriesFiles } from '../node/series-files.ts';
import { analyseSeriesFile, countSkips, mapBounded, seriesAnswers, type FileOutcome } from '../node/series.ts';

/** The printed lines: one a series (by study, then series number), each followed by its slices' lines with --slices. */
export function seriesLines(outcomes: readonly FileOutcome[], withSlices: boolean): string[] {
  const out: string[] = [];
  for (const { series, slices } of seriesAnswers(outcomes.flatMap((o) => o.slices))) {
    out.push(JSON.stringify(series));
    if (withSlices) for (const s of slices) out.push(JSON.stringify(s));
  }
  return out;
}

/** Returns the exit code: 0, or 1 when a DICOM file could not be read (the others are still answered). */
export async function classifySeries(args: readonly string[]): Promise<number> {
  const withSlices = args.includes('--slices');
  const heatmap = args.includes('--heatmap');
  const paths = args.filter((a) => !a.startsWith('--'));
  if (paths.length === 0) {
    console.error('usage: npm run classify -- --series [--slices] [--heatmap] <folders, DICOM files or DICOMDIRs>');
    return 2;
  }
  let listed;
  try {
    listed = listSeriesFiles(paths);
  } catch (e) {
    console.error((e as NodeJS.ErrnoException).code === 'ENOENT' ? `No such file or folder: ${(e as NodeJS.ErrnoException).path}` : (e as Error).message);
    return 1;
  }
  const classifier = await createClassifier();
  const batched = createBatchingDetector(classifier, { maxBatch: 16, maxWaitMs: 2 });
  const detect = (bytes: Uint8Array) => batched(bytes, { heatmap });
  // A few files in flight: the batcher groups their slices into one inference while the next are decoded.
  const outcomes = await mapBounded(listed.files, 4, async (file) => ({ file, ...(await analyseSeriesFile(file, new Uint8Array(readFileSync(file)), detect)) }));
  for (const line of seriesLines(outcomes, withSlices)) console.log(line);
  const skips = countSkips(outcomes);
  const skipped = Object.values(skips).reduce((a, b) => a + b, 0);
  for (const o of outcomes) if (o.error) console.error(`${o.file}: ${o.error.code}: ${o.error.message}`);
  if (listed.missing.length) console.error(`DICOMDIR names ${listed.missing.length} files that are not there (first: ${listed.missing[0]})`);
  console.error(`${listed.files.length} files read${listed.dicomdirs.length ? ` (${listed.dicomdirs.length} DICOMDIR followed)` : ''}; skipped ${skipped}${skipped ? ` ${JSON.stringify(skips)}` : ''}`);
  await classifier.release();
  return outcomes.some((o) => o.error) ? 1 : 0;
}

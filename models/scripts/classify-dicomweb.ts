// npm run classify -- --dicomweb <DICOMweb root> [--study UID]… [--series [--slices]] [--heatmap] [--overlay]: the
// named studies (every study the archive lists when none is named) pulled over DICOMweb (models/node/dicomweb-pull.ts)
// and answered with the very lines the same files on disk give: a line a file (a frame) without --series, a line a
// series with it (--slices adds the slices' lines). Each file is named `dicomweb:<study UID>/<series UID>/<SOP
// Instance UID>`. Studies in the order given (or the archive's), series by Series Number, files by SOP Instance UID.
// Series whose Modality says they hold no images (SR, KO, PR: BigBrain's own result SRs among them) are not pulled,
// and a pulled file without pixel data is skipped, not an error: both counted on stderr, as --series counts skips. A
// named study the archive does not have (no series, or a 404) is a not_found line; the run goes on (exit 1 at the end).
// A series is printed only once all of it has arrived and been answered: the archive unreachable, failing or stopping
// mid-series ends the run with one JSON line {code: "pacs_unavailable"} and exit 1, nothing of that series printed
// (the series before it were complete); run it again once the archive is back.
import { createClassifier } from '../node/classifier.ts';
import { createBatchingDetector } from '../node/detect-inline.ts';
import { dicomwebSource, listSeries, listStudies, PacsRefused, PacsUnavailable, retrieveSeries, type DicomwebSource, type SeriesRef } from '../node/dicomweb-pull.ts';
import { analyseSeriesFile, countSkips, mapBounded, type FileOutcome } from '../node/series.ts';
import { fileLines } from './classify-file.ts';
import { seriesLines } from './classify-series.ts';

/** Series of these modalities hold no image to analyse (structured reports, key object selections, presentation states). */
export const NO_IMAGE_MODALITIES: ReadonlySet<string> = new Set(['SR', 'KO', 'PR']);

const USAGE = 'usage: npm run classify -- --dicomweb <DICOMweb root URL> [--study <Study Instance UID>]… [--series [--slices]] [--heatmap] [--overlay]';

interface Args { root: string; studies: string[]; series: boolean; slices: boolean; heatmap: boolean; overlay: boolean }

function parse(args: readonly string[]): Args | string {
  const out: Args = { root: '', studies: [], series: false, slices: false, heatmap: false, overlay: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--dicomweb' || a === '--study') {
      const v = args[++i];
      if (!v || v.startsWith('--')) return `${a} needs a value`;
      if (a === '--dicomweb') out.root = v;
      else if (!/^[0-9]+(\.[0-9]+)*$/.test(v)) return `--study takes a Study Instance UID (digits and dots), got "${v}"`;
      else out.studies.push(v);
    } else if (a === '--series' || a === '--slices' || a === '--heatmap' || a === '--overlay') {
      out[a.slice(2) as 'series' | 'slices' | 'heatmap' | 'overlay'] = true;
    } else {
      return `unexpected argument "${a}" (files and folders are not read with --dicomweb)`;
    }
  }
  return out;
}

/** Returns the exit code: 0; 1 when the archive failed or a file could not be read; 2 for a usage error. */
export async function classifyDicomweb(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  let src: DicomwebSource;
  try {
    src = dicomwebSource(args.root);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const classifier = await createClassifier();
  const batched = createBatchingDetector(classifier, { maxBatch: 16, maxWaitMs: 2 });
  const detect = (bytes: Uint8Array) => batched(bytes, { heatmap: args.heatmap });
  const options = { heatmap: args.heatmap, overlay: args.overlay };
  let failed = false;
  let seriesDone = 0;
  let instances = 0;
  const outcomes: FileOutcome[] = [];
  /** Files without pixel data in per-file mode (--series counts its own in outcomes). */
  const fileSkips: Record<string, number> = {};
  /** Series not pulled, by Modality. */
  const notPulled: Record<string, number> = {};
  let at: { study?: string; series?: string } = {};
  try {
    const studies = args.studies.length ? args.studies : await listStudies(src);
    for (const study of studies) {
      at = { study };
      let refs: SeriesRef[];
      try {
        refs = await listSeries(src, study);
      } catch (e) {
        // An archive that answers an unknown study with 404 (others answer an empty list): that study only.
        if (!(args.studies.length && e instanceof PacsRefused && e.status === 404)) throw e;
        refs = [];
      }
      if (refs.length === 0 && args.studies.length) {
        console.log(JSON.stringify({ file: `dicomweb:${study}`, error: 'No such study on the PACS (no series found).', code: 'not_found' }));
        failed = true;
      }
      for (const ref of refs) {
        if (NO_IMAGE_MODALITIES.has(ref.modality.trim().toUpperCase())) {
          notPulled[ref.modality] = (notPulled[ref.modality] ?? 0) + 1;
          continue;
        }
        at = { study, series: ref.seriesUid };
        const pulled = (await retrieveSeries(src, ref)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        // The whole series is here: answer it, then print it in one go.
        const lines: string[] = [];
        if (args.series) {
          const answered = await mapBounded(pulled, 4, async (p) => ({ file: p.name, ...(await analyseSeriesFile(p.name, p.bytes, detect)) }));
          for (const o of answered) if (o.error) { failed = true; console.error(`${o.file}: ${o.error.code}: ${o.error.message}`); }
          outcomes.push(...answered.map((o) => ({ ...o, slices: [] })));
          lines.push(...seriesLines(answered, args.slices));
        } else {
          for (const p of pulled) {
            const r = await fileLines(classifier, p.name, p.bytes, options);
            if (r.skipped) {
              fileSkips[r.skipped] = (fileSkips[r.skipped] ?? 0) + 1;
              continue;
            }
            if (r.failed) failed = true;
            lines.push(...r.lines.map((l) => JSON.stringify(l)));
          }
        }
        process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
        seriesDone++;
        instances += pulled.length;
      }
    }
  } catch (e) {
    if (!(e instanceof PacsUnavailable || e instanceof PacsRefused)) throw e;
    console.log(JSON.stringify({ dicomweb: src.root, ...(at.study ? { study: at.study } : {}), ...(at.series ? { series: at.series } : {}), error: e.message, code: e.code }));
    failed = true;
  } finally {
    await classifier.release();
  }
  const skips = args.series ? countSkips(outcomes) : fileSkips;
  const skipped = Object.values(skips).reduce((a, b) => a + b, 0);
  const unpulled = Object.values(notPulled).reduce((a, b) => a + b, 0);
  console.error(`${seriesDone} series, ${instances} files pulled from ${src.root}; skipped ${skipped}${skipped ? ` ${JSON.stringify(skips)}` : ''}` +
    `${unpulled ? `; ${unpulled} series not pulled (no images: ${JSON.stringify(notPulled)})` : ''}`);
  return failed ? 1 : 0;
}

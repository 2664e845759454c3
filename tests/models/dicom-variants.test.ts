// Generated DICOM with known pixels (issue 11, "Tests and data"): real training JPEGs written as five kinds of
// scanner file (tests/support/dicom-fixtures.ts: 8-bit, 12-bit with a window, signed with Rescale, MONOCHROME1,
// no VOI) and transcoded by dcmtk and gdcm into every transfer syntax they write. The reader must show exactly
// the JPEG's grey (lossless syntaxes) or close to it (lossy), and the model must answer as it does on the JPEG.
// On files with no window the reader's automatic window decides; the agreement with the JPEG answers is measured
// over 100 JPEGs and must reach 97 %.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analysis } from '../../models/core/interpret.ts';
import { openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { preprocess, toGrey, type Pixels } from '../../models/core/preprocess.ts';
import { createClassifier, type Classifier } from '../../models/node/classifier.ts';
import { decodeImage } from '../../models/node/decode.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import {
  FAKE_PATIENT, fixtureDir, hasDicomTools, mapLimit, pixelDifference, sampleJpegs, syntaxesFor, transcodeAll, variantFile, VARIANTS, type Grey, type Syntax, type Variant,
} from '../support/dicom-fixtures.ts';
import { available, hasData } from '../support/skip.ts';

const run = available(hasData, 'the MRI data folder (../shared/data/brain-mri)') && available(hasDicomTools, 'dcmtk and gdcm (apt-get install dcmtk libgdcm-tools)');

/** How far a lossy syntax may move the 8-bit grey: mean and largest absolute difference. */
const LOSSY_TOLERANCE = { mean: 2, max: 24 };

const answer = (a: Analysis) => `${a.result}/${a.label ?? '-'}`;

interface Source {
  path: string;
  grey: Grey;
  jpegAnswer: string;
}

let classifier: Classifier;
let fixtures: ReturnType<typeof fixtureDir> | undefined;
const sources: Source[] = [];
/** variant → syntax → one file per source, in the order of `sources`. */
const files = new Map<Variant, Map<string, string[]>>();
const expectedGrey = new Map<Variant, Uint8Array[]>();
const lossy: string[] = [];

async function answers(pixels: Pixels[]): Promise<string[]> {
  return (await classifier.analyse(pixels.map((p) => preprocess(p)))).map(answer);
}

async function readJpeg(path: string): Promise<{ grey: Grey; pixels: Pixels }> {
  const pixels = await decodeImage(readFileSync(path));
  return { pixels, grey: { data: toGrey(pixels).grey, width: pixels.width, height: pixels.height } };
}

const asPixels = (g: Grey): Pixels => ({ data: g.data, width: g.width, height: g.height, channels: 1 });

describe.runIf(run)('generated DICOM: every variant × every transfer syntax', () => {
  beforeAll(async () => {
    const started = performance.now();
    const dir = (fixtures = fixtureDir()).dir;
    classifier = await createClassifier();
    const paths = sampleJpegs(4);
    const read = await Promise.all(paths.map(readJpeg));
    const jpegAnswers = await answers(read.map((r) => r.pixels));
    read.forEach((r, i) => sources.push({ path: paths[i]!, grey: r.grey, jpegAnswer: jpegAnswers[i]! }));
    const jobs = VARIANTS.flatMap((variant) => sources.map((source, i) => ({ variant, source, i })));
    const written = await mapLimit(jobs, 2, async ({ variant, source, i }) => {
      const { bytes, expected } = variantFile(variant, source.grey, i);
      return { variant, i, expected, paths: await transcodeAll(dir, `${i}-${variant}`, bytes, syntaxesFor(variant)) };
    });
    for (const { variant, i, expected, paths: bySyntax } of written) {
      if (!files.has(variant)) files.set(variant, new Map());
      if (!expectedGrey.has(variant)) expectedGrey.set(variant, []);
      expectedGrey.get(variant)![i] = expected;
      for (const [syntax, path] of bySyntax) {
        const list = files.get(variant)!.get(syntax) ?? [];
        list[i] = path;
        files.get(variant)!.set(syntax, list);
      }
    }
    console.log(`dicom-variants: ${written.reduce((n, w) => n + w.paths.size, 0)} files written and transcoded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);
  afterAll(async () => {
    console.log(`dicom-variants, lossy syntaxes, 8-bit difference from the JPEG's grey:\n  ${lossy.join('\n  ')}`);
    fixtures?.remove();
    await classifier?.release();
  });

  const cases: Array<[Variant, string, Syntax]> = VARIANTS.flatMap((v) => syntaxesFor(v).map((s): [Variant, string, Syntax] => [v, s.name, s]));

  it.each(cases)('%s in %s: the JPEG\'s grey and the JPEG\'s answer', async (variant, _name, syntax) => {
    const paths = files.get(variant)!.get(syntax.name)!;
    const shown: Pixels[] = [];
    for (const [i, path] of paths.entries()) {
      const file = openDicom(readFileSync(path));
      expect(file.transferSyntax.uid).toBe(syntax.uid);
      expect(file.meta.modality).toBe('MR');
      // 12-bit JPEG Extended included: libjpeg-turbo's 8-bit build cannot decode it, the TypeScript decoder does.
      const frame = await renderFrame(file, 1, nodeWasm);
      const { pixels } = frame;
      const expected = expectedGrey.get(variant)![i]!;
      expect(pixels).toMatchObject({ width: sources[i]!.grey.width, height: sources[i]!.grey.height, channels: 1 });
      expect(frame.window?.source).toBe(variant === 'novoi' ? 'auto' : 'file');
      if (syntax.lossless && variant !== 'novoi') {
        expect(pixelDifference(pixels.data, expected), `${sources[i]!.path}`).toEqual({ mean: 0, max: 0 });
      } else if (syntax.lossless) {
        // the min-max stretch computed here and the reader's LINEAR_EXACT window round a few exact halves apart
        const d = pixelDifference(pixels.data, expected);
        expect(d.max, `${sources[i]!.path}`).toBeLessThanOrEqual(1);
        expect(d.mean, `${sources[i]!.path}`).toBeLessThan(0.01);
      } else {
        const d = pixelDifference(pixels.data, expected);
        lossy.push(`${variant} ${syntax.name} ${i}: mean ${d.mean.toFixed(2)} max ${d.max}`);
        expect(d.mean, `${sources[i]!.path} mean`).toBeLessThan(LOSSY_TOLERANCE.mean);
        expect(d.max, `${sources[i]!.path} max`).toBeLessThan(LOSSY_TOLERANCE.max);
      }
      shown.push(pixels);
    }
    // The model: on the DICOM as on the JPEG (no VOI: as on the JPEG's grey stretched by the automatic window,
    // which is what the file holds; the JPEG agreement on such files is measured below).
    const reference = variant === 'novoi'
      ? await answers(expectedGrey.get(variant)!.map((data, i) => asPixels({ ...sources[i]!.grey, data })))
      : sources.map((s) => s.jpegAnswer);
    expect(await answers(shown)).toEqual(reference);
  });

  it('every fixture carries the fake patient, which the reader reads (for the device) as written', () => {
    const file = openDicom(readFileSync(files.get('signed')!.get('jpeg-ls-lossless')![0]!));
    expect(file.patient).toMatchObject({ name: 'DOE JANE', id: FAKE_PATIENT.patientId, birthDate: FAKE_PATIENT.birthDate, institution: FAKE_PATIENT.institution });
    expect(file.meta.seriesDescription).toBe(FAKE_PATIENT.seriesDescription);
  });
});

describe.runIf(run)('no VOI in the file: the automatic window against the JPEG answers', () => {
  let local: Classifier;
  beforeAll(async () => {
    local = await createClassifier();
  });
  afterAll(async () => {
    await local?.release();
  });

  it('agrees with the model\'s answers on 100 JPEGs in at least 97 % of them', async () => {
    const paths = sampleJpegs(100);
    expect(paths.length).toBe(100);
    let agree = 0, identity = 0;
    const disagreements: string[] = [];
    for (let at = 0; at < paths.length; at += 20) {
      const batch = paths.slice(at, at + 20);
      const jpegs = await Promise.all(batch.map(readJpeg));
      const dicoms = await Promise.all(jpegs.map(async ({ grey }, k) => {
        const { bytes, expected } = variantFile('novoi', grey, at + k);
        const f = await renderFrame(openDicom(bytes), 1, nodeWasm);
        expect(f.window?.source).toBe('auto');
        expect(pixelDifference(f.pixels.data, expected).max).toBeLessThanOrEqual(1);
        if (pixelDifference(expected, grey.data).max === 0) identity++;
        return f.pixels;
      }));
      const [a, b] = [await (local.analyse(jpegs.map((j) => preprocess(j.pixels)))), await local.analyse(dicoms.map((p) => preprocess(p)))];
      a.forEach((x, k) => {
        if (answer(x) === answer(b[k]!)) agree++;
        else disagreements.push(`${batch[k]!.split('/').slice(-2).join('/')}: JPEG ${answer(x)}, DICOM ${answer(b[k]!)}`);
      });
    }
    const rate = agree / paths.length;
    console.log(`no-VOI agreement: ${agree}/${paths.length} = ${(100 * rate).toFixed(1)} % (${identity} of them span 0–255, so the automatic window gives the JPEG's grey exactly)${disagreements.length ? `\n  ${disagreements.join('\n  ')}` : ''}`);
    expect(rate).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});

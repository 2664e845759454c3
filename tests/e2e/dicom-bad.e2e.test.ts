// Bad DICOM in the browser worker (issue 11: bad files leave "the server and the browser worker" working). The cases
// of models/scripts/make-bad-dicom.ts on its generated slice go, one after another, to the app's own inference worker
// in headless Chromium (the built app on vite preview, through the ?debug=1 hook): every 5th case, plus all the
// truncations, all the lying lengths, the deep nesting, the 65535³ sizes, the offset tables pointing outside and the
// unknown transfer syntax. Each must come back within 1 s as a result or as an error whose code is a bad file's — the
// code Node's reader gives the same bytes, where it refuses them — never a hang, a crash or an uncoded error. After all
// of them, in the same page and worker, a good DICOM and a JPEG get the very answer they got before.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomError, isDicom, openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { preprocess } from '../../models/core/preprocess.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { generatedBase, makeBadDicom, type BadCase } from '../../models/scripts/make-bad-dicom.ts';
import { FILE_ERROR_CODES } from '../../web/lib/file-errors.ts';
import { HAS_BROWSER, ensureBuilt, launch, newTabletContext, serveDist, syntheticMri, type Served } from './harness.ts';

/** Longest a case may take in the worker before it counts as hung. */
const LIMIT_MS = 1000;

/** The cases sent: every 5th, and every case of the kinds the issue names. */
const ALL_OF = /^(truncated-|length-|nested-|sequence-100000|size-(65535|encapsulated-65535)|fragments-offset-table-(first-)?outside$|syntax-unknown$)/;
const sample = (cases: BadCase[]): BadCase[] => cases.filter((c, i) => i % 5 === 0 || ALL_OF.test(c.name));

interface Outcome {
  kind: 'result' | 'error' | 'timeout';
  ms: number;
  code?: string;
  message?: string;
  result?: string;
  label?: string | null;
  probabilities?: number[] | null;
  pixels?: number[];
  crop?: unknown;
  modality?: string | null;
}

// Source text, so the test runner does not rewrite it: one file through window.__bigbrain.analyse (the app's own
// worker), raced against the limit measured in the page; the bytes are not counted in the time.
const ANALYSE = `async ({ b64, limit, type }) => {
  const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const blob = new Blob([bin], type ? { type } : {});
  const t0 = performance.now();
  let timer;
  const late = new Promise((resolve) => { timer = setTimeout(() => resolve({ kind: 'timeout' }), limit); });
  const answer = window.__bigbrain.analyse(blob).then(
    (r) => ({ kind: 'result', result: r.result, label: r.label ?? null, probabilities: r.probabilities ?? null,
      pixels: r.pixels ? Array.from(r.pixels) : [], crop: r.crop ?? null, modality: r.dicom ? r.dicom.modality : null }),
    (e) => ({ kind: 'error', code: e && e.code, message: String(e && e.message) }),
  );
  const out = await Promise.race([answer, late]);
  clearTimeout(timer);
  return { ...out, ms: performance.now() - t0 };
}`;
const inWorker = (page: Page, bytes: Uint8Array, limit = LIMIT_MS, type = '') =>
  page.evaluate(`(${ANALYSE})(${JSON.stringify({ b64: Buffer.from(bytes).toString('base64'), limit, type })})`) as Promise<Outcome>;

/** What Node's reader says of frame 1 (the frame the worker analyses): a DicomError code, 'decoded', or 'not DICOM'. */
async function nodeSays(bytes: Uint8Array): Promise<string> {
  if (!isDicom(bytes)) return 'not DICOM';
  try {
    await renderFrame(openDicom(bytes), 1, nodeWasm);
    return 'decoded';
  } catch (e) {
    if (e instanceof DicomError) return e.code;
    throw e;
  }
}

describe.runIf(HAS_BROWSER)('bad DICOM in the browser worker (Chromium, vite preview)', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  const good = generatedBase();
  let jpeg: Buffer;
  let before: { dicom: Outcome; jpeg: Outcome };

  beforeAll(async () => {
    jpeg = await syntheticMri(256, 'jpeg');
    await ensureBuilt();
    served = await serveDist();
    browser = await launch();
    page = await (await newTabletContext(browser)).newPage();
    await page.goto(`${served.url}/?backend=wasm&debug=1`);
    await page.getByText('Ready offline').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => !!(window as unknown as { __bigbrain?: unknown }).__bigbrain, undefined, { timeout: 60_000 });
    // The reader and the four decoders loaded into the worker first, so that no case's time includes a download.
    await page.getByRole('button', { name: 'Prepare DICOM decoders for offline use' }).click();
    await page.getByText('DICOM decoders ready offline').waitFor({ timeout: 60_000 });
    // The answers of a good DICOM and a JPEG before any bad case (generous limit: the first run warms the model).
    before = { dicom: await inWorker(page, good, 30_000), jpeg: await inWorker(page, jpeg, 30_000, 'image/jpeg') };
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('every sampled case comes back within 1 s, as a result or a bad file\'s code (Node\'s where it refuses the bytes)', async () => {
    const cases = sample(makeBadDicom(good));
    const names = cases.map((c) => c.name);
    // The kinds the issue names are all there.
    for (const kind of [/^truncated-/, /^length-past-end-/, /^length-short-/, /^nested-100000-/, /^size-65535-cubed$/, /^size-encapsulated-65535-cubed$/, /^fragments-offset-table-outside$/, /^syntax-unknown$/]) {
      expect(names.some((n) => kind.test(n)), String(kind)).toBe(true);
    }
    expect(cases.length).toBeGreaterThanOrEqual(150);

    const problems: string[] = [];
    const tally: Record<string, number> = {};
    let slowest = { name: '', ms: 0 };
    for (const { name, bytes } of cases) {
      const [got, node] = await Promise.all([inWorker(page, bytes), nodeSays(bytes)]);
      if (got.ms > slowest.ms) slowest = { name, ms: got.ms };
      const key = got.kind === 'error' ? got.code ?? '(no code)' : got.kind;
      tally[key] = (tally[key] ?? 0) + 1;
      if (got.kind === 'timeout') {
        problems.push(`${name}: no answer within ${LIMIT_MS} ms`);
        break; // the worker is stuck: every later case would only wait behind it
      }
      if (got.ms >= LIMIT_MS) problems.push(`${name}: ${got.ms.toFixed(0)} ms`);
      if (got.kind === 'error' && !FILE_ERROR_CODES.has(got.code ?? '')) problems.push(`${name}: error ${String(got.code)} (${got.message})`);
      // Where Node's reader refuses the bytes, the worker refuses them with the same code; where it decodes them, the
      // worker may still find the image unusable (too small), but only with a bad file's code.
      if (node !== 'decoded' && node !== 'not DICOM' && (got.kind !== 'error' || got.code !== node)) {
        problems.push(`${name}: ${got.kind} ${got.code ?? got.result}, Node's reader says ${node}`);
      }
      if (node === 'not DICOM' && got.kind === 'result') problems.push(`${name}: not DICOM, yet answered ${got.result}`);
    }
    console.log(`[e2e] bad DICOM in the worker: ${cases.length} cases, ${JSON.stringify(tally)}, slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms`);
    expect(problems).toEqual([]);
    expect(tally.corrupt_image).toBeGreaterThan(0);
    expect(tally.too_large).toBeGreaterThan(0);
    expect(tally.unsupported_transfer_syntax).toBeGreaterThan(0);
  }, 300_000);

  it('afterwards, in the same page, a good DICOM and a JPEG get the answers they got before', async () => {
    const dicom = await inWorker(page, good);
    expect(dicom.kind, dicom.message).toBe('result');
    expect(dicom.modality).toBe('MR');
    expect(dicom.result).toMatch(/^(Tumor|No Tumor|Not a brain MRI)$/);
    expect({ ...dicom, ms: 0 }).toEqual({ ...before.dicom, ms: 0 });
    // And it is what Node makes of the same file: the crop the model saw, pixel for pixel.
    const node = preprocess((await renderFrame(openDicom(good), 1, nodeWasm)).pixels);
    expect(dicom.pixels).toEqual(Array.from(node.pixels));
    expect(dicom.crop).toEqual(node.crop);

    const image = await inWorker(page, jpeg, LIMIT_MS, 'image/jpeg');
    expect(image.kind, image.message).toBe('result');
    expect(image.modality).toBeNull();
    expect(image.pixels).toHaveLength(96 * 96);
    expect({ ...image, ms: 0 }).toEqual({ ...before.jpeg, ms: 0 });
  });
});

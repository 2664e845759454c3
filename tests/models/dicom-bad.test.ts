// Bad DICOM (issue 11): ≥ 100 generated cases (models/scripts/make-bad-dicom.ts) — truncation at every element
// boundary, lengths that lie, undefined lengths without delimiters, sequences 10,000 and 100,000 deep, 65535³
// pixels, offset tables and fragments outside the file, wrong VRs, unknown syntaxes, RLE and codestream headers
// that lie — each through the reader: it decodes or throws a DicomError, never anything else, within 1 s, leaving
// no large allocation behind, and never hangs (the cases run in a child process watched for progress). On the
// generated slice always, and on pydicom's MR_small.dcm (a real scanner's file) where python3-pydicom is installed.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeBadDicom } from '../../models/scripts/make-bad-dicom.ts';
import type { CaseResult } from '../support/bad-dicom-runner.ts';
import { fixtureDir } from '../support/dicom-fixtures.ts';
import { PYDICOM_TEST_FILES, pydicomPath } from '../support/pydicom.ts';
import { available } from '../support/skip.ts';

/** Longest silence from the child before a case counts as hung. */
const HANG_MS = 10_000;
/** Most memory one case may leave allocated: a 64 × 64 slice needs well under 1 MB. */
const MAX_MB = 128;

/** Runs every case in a child; rejects naming the case when one hangs or the child dies. */
function runCorpus(base?: string): Promise<CaseResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/bad-dicom-runner.ts', ...(base ? [base] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const results: CaseResult[] = [];
  let current = '(starting)', buffered = '', stderr = '';
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`hung on ${current} (no answer for ${HANG_MS / 1000} s)`));
      }, HANG_MS);
    };
    watch();
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line) as { start?: string; end?: true } & Partial<CaseResult>;
        if (msg.start) current = msg.start;
        else if (msg.end) {
          clearTimeout(timer);
          resolve(results);
        } else results.push(msg as CaseResult);
      }
      watch();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited (${code ?? signal}) during ${current}: ${stderr.slice(-2000)}`));
    });
  });
}

/** What some cases must answer; every other case may decode or throw any DicomError. */
function expectedCode(name: string): string | null {
  // Cut just before Data Set Trailing Padding (FFFC,FFFC), as MR_small.dcm has: the file is whole, and decodes.
  if (name.startsWith('truncated-at-fffcfffc-')) return 'decoded';
  if (name.startsWith('truncated-')) return 'corrupt_image'; // an MR image cut short: never "no image", never decoded
  if (/^size-(65535|frames-(65535|2147483647)|encapsulated-65535)/.test(name)) return 'too_large';
  if (/^syntax-(unknown|empty|garbage|jpeg-xl|mpeg2)$/.test(name)) return 'unsupported_transfer_syntax';
  if (name.startsWith('nested-') || name.startsWith('rle-')) return 'corrupt_image';
  if (/-(huge|large)-(frame-header|size)$|-(frame-header|size)-mismatch$/.test(name)) return 'corrupt_image';
  if (/^fragments-offset-table-(outside|backwards|too-short)$|^fragment-length-past-end$|^fragments-none$/.test(name)) return 'corrupt_image';
  return null;
}

function check(results: CaseResult[], label: string) {
  const names = makeBadDicom().map((c) => c.name);
  expect(results.length).toBeGreaterThanOrEqual(100);
  const problems: string[] = [];
  const tally: Record<string, number> = {};
  for (const r of results) {
    tally[r.outcome] = (tally[r.outcome] ?? 0) + 1;
    if (r.outcome.startsWith('other')) problems.push(`${r.name}: threw ${r.outcome}`);
    if (r.ms >= 1000) problems.push(`${r.name}: ${r.ms.toFixed(0)} ms`);
    if (r.mb > MAX_MB) problems.push(`${r.name}: ${r.mb.toFixed(0)} MB allocated`);
    const want = expectedCode(r.name);
    if (want && r.outcome !== want) problems.push(`${r.name}: ${r.outcome}, expected ${want}`);
  }
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 3).map((r) => `${r.name} ${r.ms.toFixed(1)} ms`);
  const hungriest = results.reduce((a, b) => (b.mb > a.mb ? b : a));
  console.log(`bad DICOM on ${label}: ${results.length} cases, ${JSON.stringify(tally)}; median ${ms[ms.length >> 1]!.toFixed(2)} ms, max ${ms.at(-1)!.toFixed(1)} ms, total ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s; slowest: ${slowest.join(', ')}; most memory: ${hungriest.name} ${hungriest.mb.toFixed(0)} MB`);
  expect(problems).toEqual([]);
  // the corpus on a generated base is the same every run: nothing silently dropped
  if (label === 'the generated slice') expect(results.map((r) => r.name)).toEqual(names);
}

describe('bad DICOM (models/scripts/make-bad-dicom.ts)', () => {
  it('generates at least 100 uniquely named cases of every kind', () => {
    const cases = makeBadDicom();
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const kind of ['truncated-', 'length-past-end-', 'length-odd-', 'undefined-', 'nested-10000-', 'size-65535-cubed', 'fragments-offset-table-outside', 'vr-', 'syntax-unknown', 'rle-segment-offset-outside', 'j2k-', 'jpeg-ls-']) {
      expect(cases.some((c) => c.name.startsWith(kind)), kind).toBe(true);
    }
  });

  it('the CLI writes one .dcm a case into a folder', () => {
    const out = fixtureDir();
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'models/scripts/make-bad-dicom.ts', out.dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(out.dir).filter((f) => f.endsWith('.dcm')).length).toBe(makeBadDicom().length);
    } finally {
      out.remove();
    }
  });

  it('on the generated slice: each case decodes or throws a DicomError, in under 1 s, and none hangs', async () => {
    check(await runCorpus(), 'the generated slice');
  }, 120_000);

  it.runIf(available(PYDICOM_TEST_FILES !== null, "pydicom's test files (apt-get install python3-pydicom)"))(
    "on pydicom's MR_small.dcm: each case decodes or throws a DicomError, in under 1 s, and none hangs",
    async () => {
      check(await runCorpus(pydicomPath('MR_small.dcm')), 'MR_small.dcm');
    },
    120_000,
  );
});

// Child process for tests/models/dicom-bad.test.ts: runs every bad case through the reader (open, then up to three
// frames) and prints one JSON line before and one after each, so the parent can tell a hang from a slow case and
// name it, and how much memory each left behind. Usage: node --import tsx tests/support/bad-dicom-runner.ts [base.dcm]
import { readFileSync } from 'node:fs';
import { DicomError, openDicom, renderFrame } from '../../models/core/dicom/index.ts';
import { nodeWasm } from '../../models/node/dicom-wasm.ts';
import { makeBadDicom } from '../../models/scripts/make-bad-dicom.ts';

export interface CaseResult {
  name: string;
  /** "decoded", a DicomError code, or "other: <class>: <message>" for anything else thrown. */
  outcome: string;
  ms: number;
  /** Memory the case left allocated or mapped right after it (resident set or ArrayBuffers, whichever grew more). */
  mb: number;
}

const memory = () => {
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, buffers: m.arrayBuffers / 2 ** 20 };
};

const base = process.argv[2] ? new Uint8Array(readFileSync(process.argv[2])) : undefined;
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

for (const { name, bytes } of makeBadDicom(base)) {
  print({ start: name });
  const before = memory();
  const started = performance.now();
  let outcome = 'decoded';
  try {
    const file = openDicom(bytes);
    for (let k = 1; k <= Math.min(file.image.frames, 3); k++) await renderFrame(file, k, nodeWasm);
  } catch (e) {
    outcome = e instanceof DicomError ? e.code : `other: ${(e as Error)?.constructor?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
  }
  const ms = performance.now() - started;
  const after = memory();
  print({ name, outcome, ms, mb: Math.max(after.rss - before.rss, after.buffers - before.buffers) } satisfies CaseResult);
}
print({ end: true });

// pydicom's own test files (Debian's python3-pydicom ships them): real DICOM in every framing and syntax.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

function findDir(): string | null {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import pydicom, os; print(os.path.dirname(pydicom.__file__))'], { encoding: 'utf8' });
  const dir = r.status === 0 ? join(r.stdout.trim(), 'data', 'test_files') : '';
  return dir && existsSync(join(dir, 'MR_small.dcm')) ? dir : null;
}

export const PYDICOM_FILES = findDir();

export const pydicomFile = (name: string): Uint8Array => new Uint8Array(readFileSync(join(PYDICOM_FILES!, name)));

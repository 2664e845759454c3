// pydicom, as an independent reference for the DICOM reader: where Debian's python3-pydicom keeps its own test
// files, and the pixel array pydicom decodes from a file (stored values, before any rescale or window).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';

function findTestFiles(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import pydicom, os; print(os.path.dirname(pydicom.__file__))'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const dir = join(r.stdout.trim(), 'data', 'test_files');
  return existsSync(join(dir, 'MR_small.dcm')) ? dir : null;
}

/** pydicom's data/test_files folder, or null when python3-pydicom is not installed. */
export const PYDICOM_TEST_FILES = findTestFiles();

export const pydicomPath = (name: string): string => join(PYDICOM_TEST_FILES!, name);

/** Whether numpy is there too: pydicom needs it for pixel_array. */
export const hasPydicomNumpy = PYDICOM_TEST_FILES !== null && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

export interface PydicomArray {
  /** numpy's dtype string, e.g. "<i2", "|u1". */
  dtype: string;
  shape: number[];
  /** The values in C order, as plain numbers. */
  values: number[];
}

// One JSON line (dtype, shape), then the array's raw bytes in little-endian C order. With "display": pydicom's
// own Modality LUT / rescale and window (apply_modality_lut, apply_voi_lut), whose output spans the stored
// range, scaled onto 0-255 and rounded (no Rescale in the file: pydicom keeps the stored range then).
const DUMP = `
import json, sys, numpy as np, pydicom
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
ds = pydicom.dcmread(sys.argv[1])
a = ds.pixel_array
if sys.argv[2] == 'display':
    assert 'RescaleSlope' not in ds and 'ModalityLUTSequence' not in ds
    bits, signed = ds.BitsStored, ds.PixelRepresentation == 1
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
    y = apply_voi_lut(apply_modality_lut(a, ds), ds)
    a = np.round((y - lo) / (hi - lo) * 255).astype(np.uint8)
    if ds.PhotometricInterpretation == 'MONOCHROME1':
        a = 255 - a
a = np.ascontiguousarray(a.astype(a.dtype.newbyteorder('<')))
sys.stdout.write(json.dumps({'dtype': a.dtype.str, 'shape': list(a.shape)}) + '\\n')
sys.stdout.flush()
sys.stdout.buffer.write(a.tobytes())
`;

/**
 * ds.pixel_array as pydicom decodes it: the stored values, sign and Bits Stored applied, nothing more; or, with
 * `display`, pydicom's windowed values on 0-255 (grey files without Rescale or a Modality LUT only).
 */
export function pydicomPixelArray(path: string, what: 'stored' | 'display' = 'stored'): PydicomArray {
  const r = spawnSync(PYTHON, ['-c', DUMP, path, what], { maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`pydicom could not read ${path}: ${r.stderr.toString().slice(-500)}`);
  const out = r.stdout;
  const nl = out.indexOf(0x0a);
  const { dtype, shape } = JSON.parse(out.subarray(0, nl).toString('utf8')) as { dtype: string; shape: number[] };
  const raw = out.subarray(nl + 1);
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  const kind = dtype.slice(1);
  const arrays: Record<string, (b: ArrayBuffer) => ArrayLike<number>> = {
    u1: (b) => new Uint8Array(b), i1: (b) => new Int8Array(b),
    u2: (b) => new Uint16Array(b), i2: (b) => new Int16Array(b),
    u4: (b) => new Uint32Array(b), i4: (b) => new Int32Array(b),
  };
  const make = arrays[kind];
  if (!make) throw new Error(`unexpected dtype ${dtype}`);
  return { dtype, shape, values: Array.from(make(bytes.buffer)) };
}

// The healthy real-scanner series (../shared/data/brain-mri-normal-dicom) read with the project's own DICOM reader,
// slice by slice as the product reads them, and the two near-isotropic 3D volumes resliced into axial and coronal
// planes (from the rendered display pixels, Image Position/Orientation Patient giving the geometry). Used by the
// scope figures, the fine-tuning data and the tests. Nothing here writes an image anywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDicom, renderFrame, type SliceMeta } from '../core/dicom/index.ts';
import type { Pixels } from '../core/preprocess.ts';
import { nodeWasm } from '../node/dicom-wasm.ts';

export interface HealthySlice {
  series: string;
  /** One person per scanner in this folder. */
  person: string;
  /** How the slice was made: read as the scanner wrote it, or resliced from a 3D volume. */
  plane: 'native' | 'axial' | 'coronal';
  /** 0-based, in the order of position along the slice normal. */
  index: number;
  count: number;
  /** File name for native slices; `<plane>-<index>` for resliced ones. */
  name: string;
  meta: SliceMeta;
  pixels: Pixels;
}

export const HEALTHY_SERIES = [
  { folder: 'philips-3t-mprage-sag', person: 'philips', volume: true },
  { folder: 'uih-3t-gre3d-sag', person: 'uih', volume: true },
  { folder: 'siemens-3t-flash2d-sag-HFS', person: 'siemens', volume: false },
  { folder: 'siemens-3t-flash2d-sag-HFP', person: 'siemens', volume: false },
  { folder: 'siemens-3t-flash2d-sag-HFDL', person: 'siemens', volume: false },
  { folder: 'siemens-3t-flash2d-sag-HFDR', person: 'siemens', volume: false },
] as const;

const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];

/** Every slice of one series folder, sorted along the slice normal. */
export async function readSeries(dir: string, series: string, person: string): Promise<HealthySlice[]> {
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile() && !f.startsWith('.') && !/\.(md|txt|json)$/i.test(f));
  const read: Array<{ name: string; meta: SliceMeta; pixels: Pixels; along: number }> = [];
  for (const name of files) {
    const file = openDicom(new Uint8Array(readFileSync(join(dir, name))));
    const { pixels } = await renderFrame(file, 1, nodeWasm);
    const iop = file.meta.imageOrientation, ipp = file.meta.imagePosition;
    const along = iop && ipp ? dot(cross(iop.slice(0, 3), iop.slice(3, 6)), ipp) : (file.meta.instanceNumber ?? 0);
    read.push({ name, meta: file.meta, pixels, along });
  }
  read.sort((a, b) => a.along - b.along);
  return read.map((r, index) => ({ series, person, plane: 'native', index, count: read.length, name: r.name, meta: r.meta, pixels: r.pixels }));
}

/**
 * A sagittal-acquired 3D volume resliced into axial and coronal slices, resampled to square pixels (the in-plane
 * spacing's finer side, linear along the slice axis). Radiological display: patient's right on the image's left,
 * anterior (axial) or superior (coronal) at the top.
 */
export function reslice(slices: HealthySlice[]): HealthySlice[] {
  const first = slices[0]!;
  const { columns: w, rows: h } = { columns: first.pixels.width, rows: first.pixels.height };
  const iop = first.meta.imageOrientation!, ps = first.meta.pixelSpacing ?? [1, 1];
  const rowDir = iop.slice(0, 3), colDir = iop.slice(3, 6), normal = cross(rowDir, colDir);
  const pos = slices.map((s) => dot(normal, s.meta.imagePosition!));
  const gap = Math.abs(pos[pos.length - 1]! - pos[0]!) / Math.max(1, pos.length - 1);
  // Patient axes: x = left, y = posterior, z = superior (LPS). Which image axis runs along each?
  const axisOf = (v: number[]) => { const a = v.map(Math.abs); return a.indexOf(Math.max(...a)); };
  const sign = (v: number[], axis: number) => Math.sign(v[axis]!);
  const grey = (s: HealthySlice, x: number, y: number) => s.pixels.data[(y * w + x) * s.pixels.channels]!;
  // In-plane: columns (x index) run along rowDir, rows (y index) along colDir; spacing [row spacing, column spacing].
  const along = { row: axisOf(rowDir), col: axisOf(colDir), slice: axisOf(normal) };
  const zAxis = 2, yAxis = 1, xAxis = 0;
  const step = Math.min(ps[0]!, ps[1]!, gap);
  // Sample the volume at patient-ish coordinates (mm from the first voxel along each image axis).
  const sample = (u: number, v: number, k: number) => {
    // u: mm along rowDir (columns), v: mm along colDir (rows), k: mm along the normal (slices)
    const x = Math.min(w - 1, Math.max(0, Math.round(u / ps[1]!)));
    const y = Math.min(h - 1, Math.max(0, Math.round(v / ps[0]!)));
    const kf = Math.min(slices.length - 1, Math.max(0, k / gap));
    const k0 = Math.floor(kf), k1 = Math.min(slices.length - 1, k0 + 1), t = kf - k0;
    return grey(slices[k0]!, x, y) * (1 - t) + grey(slices[k1]!, x, y) * t;
  };
  const extent = { row: (w - 1) * ps[1]!, col: (h - 1) * ps[0]!, slice: gap * (slices.length - 1) };
  // mm coordinate along an image axis for a patient-axis value counted from one end, in display direction.
  type Key = 'row' | 'col' | 'slice';
  const keyFor = (axis: number): Key => (along.row === axis ? 'row' : along.col === axis ? 'col' : 'slice');
  const dirOf = (k: Key) => (k === 'row' ? rowDir : k === 'col' ? colDir : normal);
  // t in [0, extent] along patient axis `axis` in the positive (L, P, S) direction → image-axis mm.
  const toImage = (axis: number, t: number) => {
    const k = keyFor(axis);
    return { key: k, mm: sign(dirOf(k), axis) > 0 ? t : extent[k] - t };
  };
  const out: HealthySlice[] = [];
  const build = (plane: 'axial' | 'coronal', fixedAxis: number, horiz: number, vert: number, vertPositiveDown: boolean) => {
    const fixedKey = keyFor(fixedAxis), hKey = keyFor(horiz), vKey = keyFor(vert);
    const W = Math.floor(extent[hKey] / step) + 1, H = Math.floor(extent[vKey] / step) + 1;
    const n = Math.floor(extent[fixedKey] / step) + 1;
    const iopOut = plane === 'axial' ? [1, 0, 0, 0, 1, 0] : [1, 0, 0, 0, 0, -1];
    for (let i = 0; i < n; i++) {
      const data = new Uint8Array(W * H);
      const f = toImage(fixedAxis, i * step);
      for (let r = 0; r < H; r++) {
        // vertical: anterior→posterior (axial, +y downward) or superior→inferior (coronal, −z downward)
        const vt = vertPositiveDown ? r * step : extent[vKey] - r * step;
        const vv = toImage(vert, vt);
        for (let c = 0; c < W; c++) {
          // horizontal: patient's right → left, i.e. +x to the right
          const hv = toImage(horiz, c * step);
          const coord: Record<Key, number> = { row: 0, col: 0, slice: 0 };
          coord[f.key] = f.mm; coord[vv.key] = vv.mm; coord[hv.key] = hv.mm;
          data[r * W + c] = Math.round(sample(coord.row, coord.col, coord.slice));
        }
      }
      const meta: SliceMeta = { ...first.meta, imageOrientation: iopOut, imagePosition: null, pixelSpacing: [step, step], sliceThickness: step, instanceNumber: i + 1 };
      out.push({ series: first.series, person: first.person, plane, index: i, count: n, name: `${plane}-${String(i + 1).padStart(3, '0')}`, meta, pixels: { data, width: W, height: H, channels: 1 } });
    }
  };
  build('axial', zAxis, xAxis, yAxis, true);
  build('coronal', yAxis, xAxis, zAxis, false);
  return out;
}

/** Every healthy slice: native, plus the resliced planes of the 3D volumes (`withResliced`). */
export async function* healthySlices(root: string, { withResliced = true } = {}): AsyncGenerator<HealthySlice[]> {
  for (const s of HEALTHY_SERIES) {
    const native = await readSeries(join(root, s.folder), s.folder, s.person);
    yield native;
    if (withResliced && s.volume) {
      const planes = reslice(native);
      yield planes.filter((p) => p.plane === 'axial');
      yield planes.filter((p) => p.plane === 'coronal');
    }
  }
}

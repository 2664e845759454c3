// The validated scope: which DICOM slices the model's answer has been validated on. Pure (browser and Node).
// A slice outside it is answered "Outside validated use" with the reasons, never with a diagnosis. JPEG/PNG uploads
// carry no metadata, so the scope does not apply to them (the image checks decide, the original answer words stay).
//
// The rules' parameters live in the model card (card.json → scope, read by model.ts as SCOPE): the scope is a
// property of a model version, chosen from figures measured on validation data (models/scripts/healthy-figures.ts;
// the figures behind each rule are in MODEL_CARD.md, "Validated use").
import type { SliceMeta } from './dicom/index.ts';
import type { Box } from './preprocess.ts';

export type Orientation = 'axial' | 'coronal' | 'sagittal';

/**
 * Sequence family from the acquisition parameters, in this order (first match wins):
 *   diffusion        — Series Description names diffusion (DWI, DTI, ADC, TRACE, diff, b = …)
 *   echo-planar      — Scanning Sequence EP (perfusion, fMRI, EPI readouts of any other weighting)
 *   FLAIR            — TI ≥ 1500 ms, or the description says FLAIR / dark fluid / TIRM
 *   T1 gradient echo — T1 (below) acquired as gradient echo: Scanning Sequence GR without SE (MPRAGE, SPGR, FLASH,
 *                      BRAVO, TFE, 3D GRE …)
 *   T1               — the description says T1 / MPRAGE / SPGR / BRAVO / TFE / FLASH / FSPGR, or
 *                      TI 300–1300 ms (inversion-prepared T1), or gradient echo with TR < 100 ms and TE < 15 ms
 *                      (3D spoiled GRE), or TR < 800 ms and TE < 30 ms (spin echo T1)
 *   proton density   — the description says PD / proton density, or TR ≥ 1500 ms and TE < 40 ms
 *   T2               — the description says T2, or TR ≥ 1500 ms and TE ≥ 60 ms
 *   T2* gradient echo — T2 acquired as gradient echo, or the description says SWI / T2* / susceptibility / hemo
 *   unknown sequence — timing or a description is there, but none of these (timing between the families)
 *   not stated       — no TR, TE or TI and no Series Description (generated or secondary-capture files)
 * A description that names a family overrides the timing, except diffusion and EPI, which the timing cannot show.
 *
 * What a file does not state is no reason to be outside: a DICOM without Image Orientation Patient, or with neither
 * timing nor description, is judged on what it does state and otherwise like a picture (the image checks decide).
 * Scanners write both (Image Plane and MR Image modules), so a real scanner slice is always judged on them.
 */
export type SequenceFamily = 'T1' | 'T1 gradient echo' | 'T2' | 'T2* gradient echo' | 'FLAIR' | 'proton density' | 'diffusion' | 'echo-planar' | 'unknown sequence' | 'not stated';

export interface SliceFacts {
  /** From Image Orientation Patient: the dominant axis of the slice normal; null without the tag. */
  orientation: Orientation | null;
  /** Degrees between the slice normal and that axis (0 = a pure axial/coronal/sagittal slice). */
  obliquity: number | null;
  sequence: SequenceFamily;
  contrast: boolean;
  /**
   * Where the slice lies in its series: 0 at the middle, 1 at the first or last slice; null when unknown, when the
   * slice states no orientation (its place in a file then says nothing about anatomy), or when the series holds fewer
   * than MIN_SERIES_FOR_POSITION slices (a short series need not span the head).
   */
  position: number | null;
  /** The preprocessing crop (the head) along its longer side, in mm (Pixel Spacing); null without spacing or crop. */
  headExtentMm: number | null;
  /** The image's longer side in mm (Pixel Spacing); null without spacing or size. */
  fieldOfViewMm: number | null;
  /** The crop's share of the image area; null without a crop. */
  cropFraction: number | null;
  repetitionTime: number | null;
  echoTime: number | null;
  inversionTime: number | null;
}

export interface ScopeRules {
  /** Orientations validated; others are outside, named ("sagittal", "coronal"). */
  orientations: Orientation[];
  /** Sequence families validated; others are outside, named ("proton density", "diffusion", …). */
  sequences: SequenceFamily[];
  /** Whether contrast-enhanced slices are validated. */
  contrast: boolean;
  /**
   * A slice whose head crop is shorter than this (mm) along its longer side is "edge of the head" — when its field of
   * view is at least that long (a smaller field of view cannot tell an edge slice from a whole one).
   */
  minHeadExtentMm: number;
  /** A slice further out than this in its series (0 middle, 1 first/last) is "edge of the head". */
  maxPosition: number;
}

/** The position rule needs a series at least this long: a few targeted slices (or a localiser) need not span the head. */
export const MIN_SERIES_FOR_POSITION = 10;

export type Scope = { inScope: true } | { inScope: false; outside: string[] };

const DIFFUSION = /\b(dwi|dti|adc|trace|diff\w*|ep2d_diff|tensor|b\s*=?\s*\d{3,4})\b|_diff|diff_/i;
const FLAIR = /flair|dark[ _-]?fluid|tirm/i;
const T1 = /\bt1|t1w|_t1/i;
/** Product names of T1 sequences: weaker than an explicit T1 / T2 / PD in the description ("t2_fl2d" is T2*). */
const T1_NAMES = /mprage|mp-rage|mp2rage|spgr|fspgr|bravo|\btfe|flash|fl2d|fl3d|_gre_fsp/i;
const PD = /\bpd\b|pdw|_pd|pd_|proton/i;
const T2 = /\bt2|t2w|_t2/i;
const T2_STAR = /swi|t2\*|t2star|t2_star|susc|hemo|\bswan\b/i;
const CONTRAST_WORDS = /\+\s*c\b|post[ _-]?(contrast|gad|gd)|\bgad\b|\bgd\b|contrast|\bce\b|_ce\b|\+gd/i;
const NO_AGENT = /^(none|no|n\/a|na|0)?$/i;

export function sequenceFamily(meta: Pick<SliceMeta, 'repetitionTime' | 'echoTime' | 'inversionTime' | 'scanningSequence' | 'seriesDescription'>): SequenceFamily {
  const d = meta.seriesDescription ?? '';
  const tr = meta.repetitionTime, te = meta.echoTime, ti = meta.inversionTime;
  const seq = (meta.scanningSequence ?? '').toUpperCase().replace(/\\/g, ' ');
  const gradientEcho = /\bGR\b/.test(seq) && !/\bSE\b/.test(seq);
  const t1 = (): SequenceFamily => (gradientEcho ? 'T1 gradient echo' : 'T1');
  if (DIFFUSION.test(d)) return 'diffusion';
  if (/\bEP\b/.test(seq)) return 'echo-planar';
  if (T2_STAR.test(d)) return 'T2* gradient echo';
  if (FLAIR.test(d)) return 'FLAIR';
  if (T1.test(d)) return t1();
  if (PD.test(d)) return 'proton density';
  if (T2.test(d)) return gradientEcho ? 'T2* gradient echo' : 'T2';
  if (T1_NAMES.test(d)) return t1();
  if (tr === null && te === null && ti === null && !d.trim()) return 'not stated';
  if (ti !== null && ti >= 1500) return 'FLAIR';
  if (ti !== null && ti >= 300 && ti <= 1300) return t1();
  if (tr === null || te === null) return 'unknown sequence';
  if (gradientEcho && tr < 100 && te < 15) return 'T1 gradient echo';
  if (tr < 800 && te < 30) return t1();
  if (tr >= 1500 && te < 40) return 'proton density';
  if (tr >= 1500 && te >= 60) return gradientEcho ? 'T2* gradient echo' : 'T2';
  return 'unknown sequence';
}

export function orientationOf(iop: number[] | null): { orientation: Orientation | null; obliquity: number | null } {
  if (!iop || iop.length < 6 || iop.some((v) => !Number.isFinite(v))) return { orientation: null, obliquity: null };
  const [a, b, c, d, e, f] = iop as [number, number, number, number, number, number];
  const n = [b * f - c * e, c * d - a * f, a * e - b * d];
  const len = Math.hypot(n[0]!, n[1]!, n[2]!);
  if (!(len > 1e-6)) return { orientation: null, obliquity: null };
  const abs = n.map((v) => Math.abs(v) / len);
  const axis = abs.indexOf(Math.max(...abs));
  const orientation: Orientation = axis === 0 ? 'sagittal' : axis === 1 ? 'coronal' : 'axial';
  return { orientation, obliquity: Math.round((Math.acos(Math.min(1, abs[axis]!)) * 180) / Math.PI * 10) / 10 };
}

export const isContrastEnhanced = (meta: Pick<SliceMeta, 'contrastAgent' | 'seriesDescription'>): boolean =>
  !NO_AGENT.test((meta.contrastAgent ?? '').trim()) || CONTRAST_WORDS.test(meta.seriesDescription ?? '');

/**
 * The facts the rules look at. `where`: the slice's 0-based place among `count` slices of its series ordered along the
 * normal (the position rule applies only when known: a single uploaded slice has none). `crop`: the preprocessing crop
 * and the image size it was taken from.
 */
export function sliceFacts(
  meta: SliceMeta,
  where?: { index: number; count: number } | null,
  crop?: { crop: Box; width: number; height: number } | null,
): SliceFacts {
  const { orientation, obliquity } = orientationOf(meta.imageOrientation);
  const position = where && where.count >= MIN_SERIES_FOR_POSITION && orientation !== null ? Math.round(Math.abs((2 * where.index) / (where.count - 1) - 1) * 1000) / 1000 : null;
  const ps = meta.pixelSpacing;
  const headExtentMm = crop && ps && ps.length >= 2 && ps[0]! > 0 && ps[1]! > 0
    ? Math.round(Math.max(crop.crop.width * ps[1]!, crop.crop.height * ps[0]!) * 10) / 10
    : null;
  const fieldOfViewMm = crop && ps && ps.length >= 2 && ps[0]! > 0 && ps[1]! > 0
    ? Math.round(Math.max(crop.width * ps[1]!, crop.height * ps[0]!) * 10) / 10
    : null;
  const cropFraction = crop ? Math.round(((crop.crop.width * crop.crop.height) / (crop.width * crop.height)) * 1000) / 1000 : null;
  return {
    orientation,
    obliquity,
    sequence: sequenceFamily(meta),
    contrast: isContrastEnhanced(meta),
    position,
    headExtentMm,
    fieldOfViewMm,
    cropFraction,
    repetitionTime: meta.repetitionTime,
    echoTime: meta.echoTime,
    inversionTime: meta.inversionTime,
  };
}

/** In or out, with every reason a slice is out (in a fixed order: orientation, sequence, contrast, edge). */
export function scopeOf(facts: SliceFacts, rules: ScopeRules): Scope {
  const outside: string[] = [];
  if (facts.orientation !== null && !rules.orientations.includes(facts.orientation)) outside.push(facts.orientation);
  if (facts.sequence !== 'not stated' && !rules.sequences.includes(facts.sequence)) outside.push(facts.sequence);
  if (facts.contrast && !rules.contrast) outside.push('contrast-enhanced');
  const headSizedView = facts.fieldOfViewMm !== null && facts.fieldOfViewMm >= rules.minHeadExtentMm;
  const edge = (headSizedView && facts.headExtentMm !== null && facts.headExtentMm < rules.minHeadExtentMm)
    || (facts.position !== null && facts.position > rules.maxPosition);
  if (edge) outside.push('edge of the head');
  return outside.length ? { inScope: false, outside } : { inScope: true };
}

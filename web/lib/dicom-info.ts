// What the app knows about one analysed DICOM frame. The patient fields are shown on this device next to the
// result, so the clinician knows whose scan it is; they are never stored (history keeps dicomHistoryFields only),
// logged, synced or sent (the server gets the decoded frame as a PNG).
import type { Window } from '../../models/core/dicom/display.ts';
import type { SliceMeta } from '../../models/core/dicom/parse.ts';
import type { SrPatientStudy } from '../../models/core/dicom/result-sr.ts';
import { isDicom } from '../../models/core/dicom/sniff.ts';

export interface DicomInfo {
  /** 1-based frame number, and how many the file holds. */
  frame: number;
  frames: number;
  modality: string;
  transferSyntax: string;
  transferSyntaxName: string;
  seriesDescription: string;
  /** The VOI window that made the 8-bit frame (null for colour images). */
  window: Window | null;
  /** sha256 of the SOP Instance UID: tells slices apart in history without keeping the UID itself. */
  sopInstanceUidSha256: string;
  /** sha256 of the rendered 8-bit frame: the image's hash for history and sync (never the file's, never a UID). */
  pixelsSha256?: string;
  /** On this device only. */
  patient: { name: string; id: string; studyDate: string };
  /** Why no diagnosis was given (a modality other than MR), naming the modality. */
  refusal?: string;
}

/** Which frame of which file to analyse; `key` lets the worker keep one parsed file between its frames. */
export interface FrameRef {
  frame: number;
  key: string;
  /** Series reading: also return the frame's modality values for the viewer's own window (SliceView). */
  view?: boolean;
  /** Series reading: the slice's 0-based place among `count` slices ordered along the normal (the scope's edge rule). */
  where?: { index: number; count: number };
}

/**
 * A slice as the series viewer windows it: the modality values (after Rescale or the Modality LUT, before any VOI),
 * row-major, so the viewer can apply any window without going back to the file. What the model saw does not change.
 */
export interface SliceView {
  width: number;
  height: number;
  /** Int16 when every value is an integer in its range (most MR), else Float32. */
  values: Int16Array | Float32Array;
  min: number;
  max: number;
  /** The window the model's 8-bit frame was made with (the file's, else min–max). */
  window: { center: number; width: number };
  /** MONOCHROME1: low values are white. */
  invert: boolean;
}

/** What the study list needs of one file, read from its header only (no pixel decoded). */
export interface DicomHeader {
  meta: SliceMeta;
  frames: number;
  rows: number;
  columns: number;
  /** On this device only, like DicomInfo.patient. */
  patient: { name: string; id: string; studyDate: string; studyDescription: string };
  /**
   * The patient and study attributes as the file holds them, copied into a result sent back to the clinic's PACS
   * (models/core/dicom/result-sr.ts) so it files it with this study; on this device only, never stored or logged.
   */
  study?: SrPatientStudy;
}

/** One file's header answer: a DICOM image, or why it is skipped (not DICOM, no image — a DICOMDIR, an SR —, unreadable). */
export type HeaderAnswer =
  | { index: number; ok: true; header: DicomHeader }
  | { index: number; ok: false; skip: 'not-dicom' | 'no-image' | 'unreadable'; message: string };

/** What history may keep of a DICOM frame: nothing that names the patient or the study. */
export const dicomHistoryFields = (d: DicomInfo) => ({
  sopInstanceUidSha256: d.sopInstanceUidSha256,
  modality: d.modality,
  seriesDescription: d.seriesDescription,
  frame: d.frame,
  frames: d.frames,
});

/** A name for the frame that is safe to keep: scanner file names often are the SOP Instance UID or the patient's name. */
export const dicomLabel = (d: Pick<DicomInfo, 'modality' | 'seriesDescription' | 'frame' | 'frames'>): string =>
  `DICOM ${d.modality || '?'}${d.seriesDescription ? ` · ${d.seriesDescription}` : ''}${d.frames > 1 ? ` · frame ${d.frame}/${d.frames}` : ''}`;

/** Sniffs a file by content (scanner files often have no extension): the first 4 KB decide. */
export async function isDicomBlob(blob: Blob): Promise<boolean> {
  return isDicom(new Uint8Array(await blob.slice(0, 4096).arrayBuffer()));
}

/** Calendar date from a DICOM DA value (YYYYMMDD), as written; the raw value when it is not one. */
export const dicomDate = (da: string): string => (/^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6, 8)}` : da);

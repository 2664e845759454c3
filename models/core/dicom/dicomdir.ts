// A patient CD's DICOMDIR (PS3.10 8, PS3.3 F.5): the Directory Record Sequence (0004,1220), each record's type
// (0004,1430) and Referenced File ID (0004,1500, path components split by "\") → paths relative to the DICOMDIR's
// folder, "/"-separated. Pure (browser and Node); the caller opens the files. Nothing about the patient is read.
import dicomParser from 'dicom-parser';
import { dicomErrors } from './errors.ts';

/** Media Storage Directory Storage: the SOP Class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

export interface DicomdirRecord {
  /** Directory Record Type: IMAGE, SR DOCUMENT, PRESENTATION … (only records that reference a file are returned). */
  type: string;
  /** Relative path, "/"-separated, as written (CD file names are upper case; match case-insensitively). */
  path: string;
}

const clean = (s: string | undefined) => (s ?? '').replace(/\0/g, '').trim();

/** Whether the bytes are a DICOMDIR (by its Media Storage SOP Class UID, not by its name). */
export function isDicomdir(bytes: Uint8Array): boolean {
  if (bytes.length < 132 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) return false;
  try {
    const meta = dicomParser.readPart10Header(bytes);
    return clean(meta.string('x00020002')) === MEDIA_STORAGE_DIRECTORY;
  } catch {
    return false;
  }
}

/** The files a DICOMDIR references, in record order. Throws corrupt_image for a DICOMDIR that cannot be parsed. */
export function readDicomdir(bytes: Uint8Array): DicomdirRecord[] {
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (err) {
    throw dicomErrors.corrupt(`DICOMDIR: ${typeof err === 'string' ? err : err instanceof Error ? err.message : 'unreadable'}`.slice(0, 160));
  }
  const out: DicomdirRecord[] = [];
  for (const item of ds.elements.x00041220?.items ?? []) {
    const record = item.dataSet;
    const id = clean(record?.string('x00041500'));
    if (!record || !id) continue;
    const parts = id.split('\\').map((p) => p.trim()).filter(Boolean);
    // A file ID names a file below the DICOMDIR's folder: never a parent or an absolute path.
    if (!parts.length || parts.some((p) => p === '..' || p === '.' || /[/:]/.test(p))) continue;
    out.push({ type: clean(record.string('x00041430')).toUpperCase(), path: parts.join('/') });
  }
  return out;
}

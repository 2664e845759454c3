// The files of a series read: every file under the given folders (recursively, whatever the names), and the files a
// DICOMDIR references (a patient CD), each once. File IDs are matched case-insensitively (CDs write upper case).
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDicomdir, readDicomdir } from '../core/dicom/index.ts';

export interface SeriesFileList {
  /** Files to read, in a stable order (DICOMDIRs themselves left out). */
  files: string[];
  /** DICOMDIRs found and followed. */
  dicomdirs: string[];
  /** Files a DICOMDIR names that are not on disk. */
  missing: string[];
}

/** A relative path below `dir`, matched component by component, exactly or else ignoring case. */
function findBelow(dir: string, parts: string[]): string | null {
  let at = dir;
  for (const part of parts) {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return null;
    }
    const hit = names.includes(part) ? part : names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (!hit) return null;
    at = join(at, hit);
  }
  return at;
}

/** The first bytes of a file: enough for the File Meta Information that says whether it is a DICOMDIR. */
function headBytes(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

export function listSeriesFiles(paths: readonly string[]): SeriesFileList {
  const walked: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
    else walked.push(p);
  };
  for (const p of paths) walk(p);
  const seen = new Set<string>();
  const files: string[] = [];
  const dicomdirs: string[] = [];
  const missing: string[] = [];
  const add = (f: string) => {
    const key = resolve(f);
    if (!seen.has(key)) { seen.add(key); files.push(f); }
  };
  for (const f of walked) {
    if (isDicomdir(headBytes(f))) {
      dicomdirs.push(f);
      for (const r of readDicomdir(new Uint8Array(readFileSync(f)))) {
        const hit = findBelow(dirname(f), r.path.split('/'));
        if (hit) add(hit);
        else missing.push(join(dirname(f), r.path));
      }
    } else {
      add(f);
    }
  }
  return { files: files.filter((f) => !dicomdirs.some((d) => resolve(d) === resolve(f))), dicomdirs, missing };
}

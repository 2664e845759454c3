// Files in for series reading: a dropped folder (walked recursively through DataTransferItem.webkitGetAsEntry), a
// directory picker (<input webkitdirectory>), or many files at once. A patient CD's folder holds its DICOMDIR and
// every file it references, so all files are simply read; the DICOMDIR itself (no image) is skipped with the rest.
export interface CollectedFile {
  file: File;
  /** Where it was in the dropped or chosen folder (shown nowhere: scanner file names can name the patient). */
  path: string;
}

type Entry = FileSystemEntry;
const isFile = (e: Entry): e is FileSystemFileEntry => e.isFile;
const isDirectory = (e: Entry): e is FileSystemDirectoryEntry => e.isDirectory;

const fileOf = (e: FileSystemFileEntry) => new Promise<File>((resolve, reject) => e.file(resolve, reject));

/** All entries of a directory: readEntries answers in chunks (100 in Chromium) until an empty one. */
async function entriesOf(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const all: Entry[] = [];
  for (;;) {
    const chunk = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!chunk.length) return all;
    all.push(...chunk);
  }
}

async function walk(entry: Entry, out: CollectedFile[]): Promise<void> {
  if (isFile(entry)) {
    out.push({ file: await fileOf(entry), path: entry.fullPath.replace(/^\//, '') });
  } else if (isDirectory(entry)) {
    for (const child of await entriesOf(entry)) await walk(child, out);
  }
}

/**
 * The entries of a drop, taken synchronously (the items die with the event), then walked. A browser without
 * webkitGetAsEntry gives the dropped files themselves.
 */
export function dropEntries(dt: DataTransfer): { entries: Entry[]; files: File[] } {
  const entries: Entry[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    const e = item.kind === 'file' && typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (e) entries.push(e);
  }
  return { entries, files: Array.from(dt.files ?? []) };
}

export async function collectDrop({ entries, files }: { entries: Entry[]; files: File[] }): Promise<CollectedFile[]> {
  if (!entries.length) return files.map((file) => ({ file, path: file.name }));
  const out: CollectedFile[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}

/** Files from an <input type=file> (with webkitdirectory: every file under the chosen folder, with its relative path). */
export const collectInput = (list: FileList | null): CollectedFile[] =>
  Array.from(list ?? []).map((file) => ({ file, path: file.webkitRelativePath || file.name }));

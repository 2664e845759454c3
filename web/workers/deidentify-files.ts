// The de-identified copies "Analyse on server" sends for a series (issue 13): each file opened and rewritten by the
// shared models/core/dicom/deidentify.ts, in the worker, with one old→new UID map for the whole series so the server
// still groups the copies as one series. The copies carry no name, ID, date, institution, private tag or original UID.
import { deidentify } from '../../models/core/dicom/deidentify.ts';
import { openDicom } from '../../models/core/dicom/index.ts';

export async function deidentifyFiles(files: Blob[]): Promise<Blob[]> {
  const uids = new Map<string, string>();
  const out: Blob[] = [];
  for (const f of files) {
    const copy = deidentify(openDicom(new Uint8Array(await f.arrayBuffer())), uids);
    out.push(new Blob([copy.bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }));
  }
  return out;
}

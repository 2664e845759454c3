// @vitest-environment jsdom
// Files in for series reading: a dropped folder walked through its entries (readEntries answers in chunks until an
// empty one, folders nested), plain dropped files when the browser gives no entries, and a directory picker's files.
import { describe, expect, it } from 'vitest';
import { collectDrop, collectInput, dropEntries } from '../../web/features/series/collect.ts';

type Node = { name: string; file?: File; children?: Node[] };

/** A FileSystemEntry tree as Chromium gives it: readEntries in chunks of 2, then []. */
function entry(node: Node, parent = ''): FileSystemEntry {
  const fullPath = `${parent}/${node.name}`;
  if (node.file) {
    return { isFile: true, isDirectory: false, name: node.name, fullPath, file: (ok: (f: File) => void) => ok(node.file!) } as unknown as FileSystemEntry;
  }
  return {
    isFile: false, isDirectory: true, name: node.name, fullPath,
    createReader() {
      const all = (node.children ?? []).map((c) => entry(c, fullPath));
      let at = 0;
      return { readEntries: (ok: (e: FileSystemEntry[]) => void) => { ok(all.slice(at, at + 2)); at += 2; } };
    },
  } as unknown as FileSystemEntry;
}

const f = (name: string) => new File([name], name);

describe('series: collecting files', () => {
  it('walks a dropped folder recursively, every chunk of every folder, with relative paths', async () => {
    const tree: Node = {
      name: 'CD',
      children: [
        { name: 'DICOMDIR', file: f('DICOMDIR') },
        { name: 'README.TXT', file: f('README.TXT') },
        { name: 'DICOM', children: [{ name: 'ST1', children: ['A', 'B', 'C', 'D', 'E'].map((n) => ({ name: n, file: f(n) })) }, { name: 'IM1', file: f('IM1') }] },
      ],
    };
    const dt = { items: [{ kind: 'file', webkitGetAsEntry: () => entry(tree) }], files: [] } as unknown as DataTransfer;
    const got = await collectDrop(dropEntries(dt));
    expect(got.map((g) => g.path)).toEqual(['CD/DICOMDIR', 'CD/README.TXT', 'CD/DICOM/ST1/A', 'CD/DICOM/ST1/B', 'CD/DICOM/ST1/C', 'CD/DICOM/ST1/D', 'CD/DICOM/ST1/E', 'CD/DICOM/IM1']);
    expect(got.map((g) => g.file.name)).toEqual(['DICOMDIR', 'README.TXT', 'A', 'B', 'C', 'D', 'E', 'IM1']);
  });

  it('without entries (a browser without webkitGetAsEntry), the dropped files themselves', async () => {
    const files = [f('IM1'), f('IM2')];
    const dt = { items: [{ kind: 'file' }, { kind: 'file' }], files } as unknown as DataTransfer;
    expect((await collectDrop(dropEntries(dt))).map((g) => g.file)).toEqual(files);
  });

  it('a directory picker: every file with its webkitRelativePath', () => {
    const a = f('IM1');
    Object.defineProperty(a, 'webkitRelativePath', { value: 'CD/DICOM/IM1' });
    const b = f('loose');
    const list = Object.assign([a, b], { item: (i: number) => [a, b][i] ?? null }) as unknown as FileList;
    expect(collectInput(list).map((c) => c.path)).toEqual(['CD/DICOM/IM1', 'loose']);
    expect(collectInput(null)).toEqual([]);
  });
});

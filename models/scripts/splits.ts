// Group-aware, stratified train/validation/test assignment.
import { createHash } from 'node:crypto';

export interface SplitItem {
  key: string;
  stratum: string;
  hash: [number, number];
  sha256: string;
}

export type Split = 'train' | 'val' | 'test';

/** Union-find over all pairs that `near` says are the same picture. Returns a group id per item. */
export function groupNearDuplicates<T>(
  hashes: T[],
  near: (a: T, b: T) => boolean,
  families: Array<string | null> = [],
  compare: boolean[] = hashes.map(() => true),
): number[] {
  const parent = hashes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (i: number, j: number) => {
    const a = find(i), b = find(j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  for (let i = 0; i < hashes.length; i++) {
    if (!compare[i]) continue;
    for (let j = i + 1; j < hashes.length; j++) if (compare[j] && near(hashes[i]!, hashes[j]!)) union(i, j);
  }
  // Items of one family (views of one base picture) are one group too.
  const firstOfFamily = new Map<string, number>();
  families.forEach((f, i) => {
    if (f === null) return;
    if (firstOfFamily.has(f)) union(firstOfFamily.get(f)!, i);
    else firstOfFamily.set(f, i);
  });
  return hashes.map((_, i) => find(i));
}

/**
 * Each group goes wholly to one split. Within each stratum (source/class), groups are
 * ordered by a hash of their first member and filled into train, val, test by share.
 * A group spanning strata is placed by its first member's stratum.
 */
export function assignSplits(items: SplitItem[], groups: number[], share: { train: number; val: number }): Split[] {
  const byStratum = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (groups[i] !== i) return; // not the group's root
    const list = byStratum.get(it.stratum) ?? [];
    list.push(i);
    byStratum.set(it.stratum, list);
  });
  const members = new Map<number, number>();
  groups.forEach((g) => members.set(g, (members.get(g) ?? 0) + 1));
  const splitOfGroup = new Map<number, Split>();
  for (const roots of byStratum.values()) {
    const order = roots
      .map((r) => ({ r, k: createHash('sha1').update(items[r]!.sha256).digest('hex') }))
      .sort((a, b) => a.k.localeCompare(b.k));
    const total = order.reduce((n, o) => n + members.get(o.r)!, 0);
    let filled = 0;
    for (const { r } of order) {
      const f = filled / total;
      splitOfGroup.set(r, f < share.train ? 'train' : f < share.train + share.val ? 'val' : 'test');
      filled += members.get(r)!;
    }
  }
  return groups.map((g) => splitOfGroup.get(g)!);
}

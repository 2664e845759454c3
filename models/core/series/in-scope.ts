// The validated scope seen from a series: each slice's facts with its place along the series (the "edge of the head"
// position rule needs it), judged by the model card's scope rules (models/core/scope.ts).
import { SCOPE } from '../model.ts';
import { scopeOf, sliceFacts, type ScopeRules } from '../scope.ts';
import type { SeriesGroup } from './types.ts';

/** Slice id → the reasons it is outside the validated scope (absent: in scope). */
export function outsideInSeries(group: SeriesGroup, rules: ScopeRules = SCOPE): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const count = group.slices.length;
  group.slices.forEach((s, index) => {
    const scope = scopeOf(sliceFacts(s.meta, { index, count }), rules);
    if (!scope.inScope) out.set(s.id, scope.outside);
  });
  return out;
}

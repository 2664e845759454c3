// The validated scope (models/core/scope.ts) applied on the device, as the server applies it: a DICOM frame outside
// it is answered "Outside validated use" with the reasons, and keeps no diagnosis and no heat map. Pictures have no
// metadata, so the worker calls this for DICOM frames only.
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { withScope } from '../../models/core/interpret.ts';
import { SCOPE } from '../../models/core/model.ts';
import { scopeOf, sliceFacts } from '../../models/core/scope.ts';
import type { AnalysisResult } from '../lib/types.ts';

export function scoped(r: AnalysisResult, meta: SliceMeta, where: { index: number; count: number } | null | undefined, size: { width: number; height: number }): AnalysisResult {
  const scope = scopeOf(sliceFacts(meta, where ?? null, r.crop ? { crop: r.crop, width: size.width, height: size.height } : null), SCOPE);
  const a = withScope(r, scope);
  if (a === r) return r;
  const run: AnalysisResult = { ...r };
  delete run.cam;
  delete run.camSize;
  return { ...run, ...a } as AnalysisResult;
}

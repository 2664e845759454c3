// Reading a series: group and order slices (group.ts), aggregate slice answers into one verdict (verdict.ts).
// Pure TypeScript, shared by the PWA worker, the server and the CLI.
export type { Orientation, SeriesGroup, SeriesRule, SeriesSlice, SeriesVerdict, SliceAnswer } from './types.ts';
export { groupIntoSeries, orderSlices } from './group.ts';
export { seriesVerdict, KEY_SLICES } from './verdict.ts';
export { orientationOfNormal, positionAlong, sliceNormal } from './geometry.ts';
export { outsideInSeries } from './in-scope.ts';
export { seriesAnswers, type AnalysedSlice, type KeySlice, type SeriesAnswer, type SliceLine } from './answers.ts';

export { SeriesPanel, type SeriesPanelProps, sliceAnswerText } from './SeriesPanel.tsx';
export type { SeriesEngine } from './useSeriesAnalysis.ts';
export { buildStudies, resultSrSourceOf, seriesResultOf, type ResultSrSource } from './study.ts';

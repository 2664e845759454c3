export { SeriesReport, dateTimeText, type SeriesReportProps } from './SeriesReport.tsx';
export { SliceChart } from './SliceChart.tsx';
export { ruleText, seriesFromSlices, type SliceForReport } from './fromSlices.ts';

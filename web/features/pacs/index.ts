export { PacsPanel, type PacsPanelProps } from './PacsPanel.tsx';
export { createPacsClient, studyQueryParams, type PacsClient, type SeriesRow, type StudyQuery, type StudyRow } from './client.ts';
export { SendResult, type SendResultProps } from './SendResult.tsx';
export { pacsErrorText } from './errors.ts';

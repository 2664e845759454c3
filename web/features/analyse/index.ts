export { AnalysePanel, type AnalysePanelProps, type SavedResult } from './AnalysePanel.tsx';
export { ResultCard, describe } from './ResultCard.tsx';

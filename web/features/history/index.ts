export { HistoryPanel } from './HistoryPanel.tsx';
export { useHistory, syncAccount, needsSync, toRecord, seriesToRecord, type NewResult } from './useHistory.ts';
export { defaultStore, IdbHistoryStore, MemoryHistoryStore, SIGNED_OUT, type HistoryRecord, type HistoryStore, type SeriesHistoryFields } from './store.ts';
export { isQuotaError } from './saveError.ts';

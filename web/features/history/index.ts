export { HistoryPanel } from './HistoryPanel.tsx';
export { useHistory, syncAccount, needsSync, toRecord, type NewResult } from './useHistory.ts';
export { defaultStore, IdbHistoryStore, MemoryHistoryStore, SIGNED_OUT, type HistoryRecord, type HistoryStore } from './store.ts';
export { isQuotaError } from './saveError.ts';

// Why a history write failed, in words for the user. A full storage quota is common on shared
// tablets; it must be reported (the result is still shown, but it is not kept).

/** QuotaExceededError in every browser's spelling (Firefox's legacy name, the old code 22). */
export function isQuotaError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: number; inner?: unknown };
  return e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED' || e.code === 22;
}

export function saveErrorMessage(err: unknown): string {
  if (isQuotaError(err))
    return (
      'This result could not be saved to history: the storage on this device is full. ' +
      'Free space with "Clear local history", or remove other sites\u2019 data in the browser settings.'
    );
  return `This result could not be saved to history: ${err instanceof Error ? err.message : String(err)}`;
}

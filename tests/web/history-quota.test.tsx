// @vitest-environment jsdom
// A full IndexedDB quota: the history write fails with QuotaExceededError, the user is told (and
// how to free space), and the analysis result is still shown. Also: IdbHistoryStore.put reports a
// quota error raised when the transaction commits, not only when the request fails.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysePanel } from '../../web/features/analyse/index.ts';
import {
  HistoryPanel,
  IdbHistoryStore,
  isQuotaError,
  MemoryHistoryStore,
  toRecord,
  useHistory,
  type HistoryRecord,
  type HistoryStore,
} from '../../web/features/history/index.ts';
import { fakeResult, pngFile } from './fixtures.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** A store whose writes fail while `full` is set. */
class FullStore extends MemoryHistoryStore {
  full = true;
  cleared = vi.fn();
  override async put(r: HistoryRecord) {
    if (this.full) throw quota();
    return super.put(r);
  }
  override async clear(account: string) {
    this.cleared(account);
    this.full = false;
    return super.clear(account);
  }
}

function Harness({ store }: { store: HistoryStore }) {
  const h = useHistory(store, null, false);
  return (
    <>
      <AnalysePanel
        analyseOnDevice={async () => fakeResult()}
        deviceUnavailable={null}
        server={{ available: false, reason: 'offline' }}
        autoServer={false}
        thumbnails={false}
        analyseOnServer={async () => fakeResult()}
        onResult={h.add}
      />
      <HistoryPanel
        records={h.records}
        signedOutRecords={h.signedOutRecords}
        pending={h.pending}
        signedIn={false}
        online={false}
        syncError={h.syncError}
        saveError={h.saveError}
        onDismissSaveError={h.dismissSaveError}
        onAdopt={() => {}}
        onClear={() => void h.clear()}
      />
    </>
  );
}

describe('history: full storage quota', () => {
  it('recognises QuotaExceededError in its spellings', () => {
    expect(isQuotaError(quota())).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true);
    expect(isQuotaError(new Error('nope'))).toBe(false);
  });

  it('shows the result, reports that history could not be saved and how to free space; clearing recovers', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = new FullStore();
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Harness store={store} />
      </QueryClientProvider>,
    );
    fireEvent.change(screen.getByLabelText('MRI image'), { target: { files: [pngFile('scan.png')] } });
    expect(await screen.findByText(/scan\.png: Tumor/)).toBeTruthy();
    const alert = await screen.findByTestId('history-save-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toMatch(/could not be saved to history: the storage on this device is full/);
    expect(alert.textContent).toMatch(/Clear local history/);
    expect(console.error).toHaveBeenCalled();
    // The result card is still there.
    expect(screen.getByLabelText('Class probabilities')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Clear local history' }));
    await waitFor(() => expect(screen.queryByTestId('history-save-error')).toBeNull());
    expect(store.cleared).toHaveBeenCalledWith('signed-out');
    // Space freed: the next result is saved.
    fireEvent.change(screen.getByLabelText('MRI image'), { target: { files: [pngFile('next.png')] } });
    await waitFor(async () => expect(await store.list('signed-out')).toHaveLength(1));
    expect(screen.queryByTestId('history-save-error')).toBeNull();
  });

  it('IdbHistoryStore.put rejects when the transaction aborts with QuotaExceededError after the request succeeded', async () => {
    // A minimal IndexedDB: open succeeds; put's request succeeds, then the commit aborts.
    const tx = { error: null } as { error: DOMException | null; onabort?: () => void; objectStore?: () => unknown };
    const objectStore = {
      transaction: tx,
      put: () => {
        const r: { onsuccess?: () => void } = {};
        setTimeout(() => {
          r.onsuccess!();
          tx.error = quota();
          tx.onabort!();
        });
        return r;
      },
    };
    tx.objectStore = () => objectStore;
    const db = { transaction: () => tx };
    vi.stubGlobal('indexedDB', {
      open: () => {
        const req = { result: db } as unknown as IDBOpenDBRequest & Record<string, unknown>;
        setTimeout(() => (req.onsuccess as () => void)());
        return req;
      },
    });
    const store = new IdbHistoryStore('quota-test');
    const err = await store.put(toRecord({ id: '1', fileName: 'a.png', result: fakeResult() }, 'alice')).catch((e: unknown) => e);
    expect(isQuotaError(err)).toBe(true);
  });
});

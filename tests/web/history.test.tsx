// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryPanel, MemoryHistoryStore, SIGNED_OUT, needsSync, syncAccount, toRecord } from '../../web/features/history/index.ts';
import { fakeRefusal, fakeResult } from './fixtures.ts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const sha = 'a'.repeat(64);

describe('history', () => {
  it('keeps accounts apart and lists newest first', async () => {
    const store = new MemoryHistoryStore();
    await store.put(toRecord({ id: '1', fileName: 'a.png', result: fakeResult(), imageSha256: sha }, 'alice', new Date('2026-01-01')));
    await store.put(toRecord({ id: '2', fileName: 'b.png', result: fakeResult(), imageSha256: sha }, 'alice', new Date('2026-01-02')));
    await store.put(toRecord({ id: '3', fileName: 'c.png', result: fakeResult(), imageSha256: sha }, 'bob'));
    expect((await store.list('alice')).map((r) => r.id)).toEqual(['2', '1']);
    expect((await store.list('bob')).map((r) => r.id)).toEqual(['3']);
    await store.clear('alice');
    expect(await store.list('alice')).toEqual([]);
    expect(await store.list('bob')).toHaveLength(1);
  });

  it('never stores the image; a thumbnail only when given', () => {
    const r = toRecord({ id: '1', fileName: 'a.png', result: fakeResult(), imageSha256: sha }, 'alice');
    expect(JSON.stringify(r)).not.toMatch(/pixels|cam/);
    expect(r.thumbnail).toBeUndefined();
  });

  it('syncs device results once, idempotently, without images; keeps "Not a brain MRI" local', async () => {
    const store = new MemoryHistoryStore();
    await store.put(toRecord({ id: 'd1', fileName: 'a.png', result: fakeResult(), imageSha256: sha }, 'alice'));
    await store.put(toRecord({ id: 'd2', fileName: 'b.png', result: fakeRefusal(), imageSha256: sha }, 'alice'));
    await store.put(toRecord({ id: 's1', fileName: 'c.png', result: fakeResult({ backend: 'Server' }), imageSha256: sha }, 'alice'));
    const bodies: unknown[] = [];
    const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      expect(url).toBe('/api/detections');
      return new Response('{}', { status: 201 });
    });
    vi.stubGlobal('fetch', fetchMock);
    expect(await syncAccount(store, 'alice')).toBe(1);
    expect(await syncAccount(store, 'alice')).toBe(0);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(bodies[0]).toMatchObject({ id: 'd1', result: 'Tumor', imageSha256: sha, model: { name: 'bigbrain-cnn' } });
    expect(Object.keys(bodies[0] as object)).not.toContain('pixels');
    expect((await store.list('alice')).filter(needsSync)).toEqual([]);
  });

  it('a failed sync keeps the result pending (offline, then back online)', async () => {
    const store = new MemoryHistoryStore();
    await store.put(toRecord({ id: 'd1', fileName: 'a.png', result: fakeResult(), imageSha256: sha }, 'alice'));
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(syncAccount(store, 'alice')).rejects.toThrow(/offline/);
    expect((await store.list('alice')).filter(needsSync)).toHaveLength(1);
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 200 })));
    expect(await syncAccount(store, 'alice')).toBe(1);
  });

  it('stores a refused image with no label or P(tumour) and shows "—", also for a record stored before that rule', () => {
    const refused = toRecord({ id: 'n1', fileName: 'icon.png', result: fakeRefusal() }, 'alice');
    expect(refused).toMatchObject({ result: 'Not a brain MRI', label: null, probabilities: null, tumorProbability: null });
    const legacy = { ...toRecord({ id: 'n0', fileName: 'old.png', result: fakeRefusal() }, 'alice'), label: 'meningioma' as const, tumorProbability: 0.909 };
    const diagnosed = toRecord({ id: 'd1', fileName: 'scan.png', result: fakeResult() }, 'alice');
    render(<HistoryPanel records={[refused, legacy, diagnosed]} signedOutRecords={[]} pending={0} signedIn={false} online syncError={null} onAdopt={() => {}} onClear={() => {}} />);
    const items = within(screen.getByRole('list', { name: /newest first/ })).getAllByRole('listitem');
    expect(items.map((li) => li.textContent?.match(/P\(tumour\) (—|\d+ %)/)?.[1])).toEqual(['—', '—', '85 %']);
    expect(items[1]!.textContent).not.toMatch(/91|meningioma/i);
    expect([refused, legacy].some(needsSync)).toBe(false);
  });

  it('renders the list, offers adopting signed-out results, and clearing', () => {
    const onAdopt = vi.fn();
    const records = [toRecord({ id: '1', fileName: 'a.png', result: fakeResult({ uncertain: true }) }, 'alice')];
    const signedOut = [toRecord({ id: '2', fileName: 'b.png', result: fakeResult() }, SIGNED_OUT)];
    render(<HistoryPanel records={records} signedOutRecords={signedOut} pending={1} signedIn online={false} syncError={null} onAdopt={onAdopt} onClear={() => {}} />);
    const list = screen.getByRole('list', { name: /newest first/ });
    expect(within(list).getByText('Tumor')).toBeTruthy();
    expect(within(list).getByText(/uncertain/)).toBeTruthy();
    expect(screen.getByText(/1 waiting to sync \(offline\)/)).toBeTruthy();
    screen.getByRole('button', { name: 'Add them to my account' }).click();
    expect(onAdopt).toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Clear local history' })).toBeTruthy();
  });
});

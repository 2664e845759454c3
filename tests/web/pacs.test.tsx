// @vitest-environment jsdom
// The PACS panel with a stubbed client (tests/e2e/pacs.e2e.test.ts runs the real gateway and Orthanc): search →
// studies → series → Open series → progress in slices and bytes → the files handed on; offline and PACS errors said;
// Cancel while fetching (≥ 44 × 44 px) aborts the request and hands nothing on; the real client's retrieve aborted
// through its signal against a loopback server that stalls mid-answer.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPacsClient, PacsPanel, studyQueryParams, type PacsClient } from '../../web/features/pacs/index.ts';

afterEach(cleanup);

const STUDY = { studyUid: '1.2.3', patientName: 'DOE JANE', patientId: 'PID-1', date: '20240229', description: 'MR HEAD', accession: 'ACC1' };
const SERIES = { seriesUid: '1.2.3.4', description: 'T1 AX', modality: 'MR', number: '3', slices: 6 };

const MIB = 1024 * 1024;

function stub(over: Partial<PacsClient> = {}) {
  let progress: (loaded: number, total: number | null) => void = () => {};
  let finish: () => void = () => {};
  const client: PacsClient = {
    searchStudies: vi.fn(async () => [STUDY]),
    searchSeries: vi.fn(async () => [SERIES]),
    storeInstances: vi.fn(async () => {}),
    retrieveSeries: vi.fn((_s: string, _r: string, onProgress: (loaded: number, total: number | null) => void) => new Promise<ArrayBuffer[]>((resolve) => {
      progress = onProgress;
      finish = () => resolve(Array.from({ length: 6 }, (_, k) => new TextEncoder().encode(`dicom ${k + 1}`.padEnd(MIB / 2, '.')).buffer));
    })),
    ...over,
  };
  return { client, progress: (l: number, t: number | null) => progress(l, t), finish: () => finish() };
}

describe('PACS panel', () => {
  it('search → list → open → progress → onFiles with every slice, in order', async () => {
    const h = stub();
    const { client } = h;
    const onFiles = vi.fn();
    render(<PacsPanel client={client} online onFiles={onFiles} />);
    fireEvent.change(screen.getByLabelText('Patient name'), { target: { value: 'DOE' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const study = await screen.findByText(/DOE JANE · 2024-02-29 · MR HEAD/);
    expect(client.searchStudies).toHaveBeenCalledWith(expect.objectContaining({ patientName: 'DOE', modality: 'MR' }));
    fireEvent.click(within(study.closest('li')!).getByRole('button', { name: 'Series' }));
    await screen.findByText(/T1 AX · MR · 6 slices/);
    fireEvent.click(screen.getByRole('button', { name: 'Open series' }));
    const progress = screen.getByTestId('pacs-progress');
    expect(progress.textContent).toContain('Fetching: 6 slices · 0.0 MiB received');
    expect(client.retrieveSeries).toHaveBeenCalledWith('1.2.3', '1.2.3.4', expect.any(Function), expect.any(AbortSignal));
    await act(async () => h.progress(1.5 * MIB, 3 * MIB));
    expect(progress.textContent).toContain('about 3 of 6 slices · 1.5 MiB of 3.0 MiB received');
    await act(async () => h.progress(2 * MIB, null)); // no length: bytes only
    expect(progress.textContent).toContain('6 slices · 2.0 MiB received');
    await act(async () => h.finish());
    await waitFor(() => expect(onFiles).toHaveBeenCalledTimes(1));
    const files = onFiles.mock.calls[0]![0] as File[];
    expect(onFiles.mock.calls[0]![1]).toEqual({ studyUid: '1.2.3', seriesUid: '1.2.3.4' });
    expect(files).toHaveLength(6);
    expect(files.map((f) => f.name)).toEqual(['0001.dcm', '0002.dcm', '0003.dcm', '0004.dcm', '0005.dcm', '0006.dcm']);
    expect((await files[2]!.text()).startsWith('dicom 3')).toBe(true);
    expect(screen.queryByTestId('pacs-progress')).toBeNull();
  });

  it('offline: says so and does not search', () => {
    const { client } = stub();
    render(<PacsPanel client={client} online={false} onFiles={() => {}} />);
    expect(screen.getByText(/Offline: the PACS cannot be reached. Local files still work/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Search' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('the server or PACS unreachable: a clear message', async () => {
    const { client } = stub({ searchStudies: vi.fn(async () => Promise.reject(Object.assign(new Error('x'), { status: 502 }))) });
    render(<PacsPanel client={client} online onFiles={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/PACS is not answering.*Local files still work/);
  });

  it('QIDO keys: name as a prefix, date range, accession, modality', () => {
    expect(studyQueryParams({ patientName: 'DOE', patientId: ' P1 ', from: '2024-01-01', to: '2024-12-31', accession: 'A9', modality: 'MR' })).toEqual({
      PatientName: 'DOE*', PatientID: 'P1', StudyDate: '20240101-20241231', AccessionNumber: 'A9', ModalitiesInStudy: 'MR',
    });
    expect(studyQueryParams({ modality: '' })).toEqual({});
  });

  it('Cancel while a series is fetched (a 44 × 44 px target): the request is aborted, nothing handed on, said so; Open series works again', async () => {
    const style = document.createElement('style');
    style.textContent = readFileSync('web/app/styles.css', 'utf8');
    document.head.append(style);
    try {
      let signal: AbortSignal | undefined;
      let resolveLate: (parts: ArrayBuffer[]) => void = () => {};
      const retrieve = vi.fn((_s: string, _r: string, onProgress: (loaded: number, total: number | null) => void, sig?: AbortSignal) => new Promise<ArrayBuffer[]>((resolve, reject) => {
        signal = sig;
        onProgress(MIB, 3 * MIB);
        resolveLate = resolve;
        sig?.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')));
      }));
      const { client } = stub({ retrieveSeries: retrieve });
      const onFiles = vi.fn();
      render(<PacsPanel client={client} online onFiles={onFiles} />);
      expect(screen.queryByRole('button', { name: 'Cancel fetching' })).toBeNull(); // only while fetching
      fireEvent.click(screen.getByRole('button', { name: 'Search' }));
      const study = await screen.findByText(/DOE JANE/);
      fireEvent.click(within(study.closest('li')!).getByRole('button', { name: 'Series' }));
      await screen.findByText(/T1 AX · MR · 6 slices/);
      await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Open series' })); });
      expect(screen.getByTestId('pacs-progress').textContent).toContain('about 2 of 6 slices · 1.0 MiB of 3.0 MiB received');
      const cancel = screen.getByRole('button', { name: 'Cancel fetching' });
      // The app's style sheet rules that match the button (jsdom lays nothing out and skips a rule whose selector
      // list it cannot match whole, so each selector is tried on its own): a tablet-sized target, nothing smaller.
      const matching = [...style.sheet!.cssRules].filter((r): r is CSSStyleRule => r instanceof CSSStyleRule)
        .filter((r) => r.selectorText.split(',').some((sel) => { try { return cancel.matches(sel.trim()); } catch { return false; } }));
      for (const prop of ['min-height', 'min-width']) {
        const values = matching.map((r) => r.style.getPropertyValue(prop)).filter(Boolean);
        expect(values, prop).toContain('44px');
        for (const v of values) expect(parseFloat(v), `${prop}: ${v}`).toBeGreaterThanOrEqual(44);
      }
      for (const prop of ['height', 'width', 'max-height', 'max-width']) expect(matching.map((r) => r.style.getPropertyValue(prop)).filter(Boolean), prop).toEqual([]);
      expect(cancel.className).toBe('pacs-cancel');
      expect(signal?.aborted).toBe(false);
      await act(async () => { fireEvent.click(cancel); });
      expect(signal?.aborted).toBe(true);
      expect(screen.queryByTestId('pacs-progress')).toBeNull();
      expect(screen.queryByRole('button', { name: 'Cancel fetching' })).toBeNull();
      expect(screen.queryByRole('alert')).toBeNull();
      expect(screen.getByText('Fetch cancelled: nothing was kept or analysed.')).toBeTruthy();
      await act(async () => resolveLate([new ArrayBuffer(8)])); // whatever the request does after the abort
      expect(onFiles).not.toHaveBeenCalled();
      // Open series again: a new request, a new signal, handed on this time.
      retrieve.mockImplementationOnce(async (_s, _r, _p, sig) => { signal = sig; return Array.from({ length: 6 }, () => new ArrayBuffer(4)); });
      await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Open series' })); });
      expect(signal?.aborted).toBe(false);
      expect(onFiles).toHaveBeenCalledTimes(1);
      expect(screen.queryByText('Fetch cancelled: nothing was kept or analysed.')).toBeNull();
    } finally {
      style.remove();
    }
  });

  it('the real client: its signal aborts the WADO-RS request of a series the server is still sending', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((r) => { closed = r; });
    const server = createServer((req, res) => {
      req.socket.once('close', () => closed());
      res.writeHead(200, { 'content-type': 'multipart/related; type="application/dicom"; boundary=b0undary', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' });
      if (req.method === 'OPTIONS') { res.end(); return; }
      res.write(`--b0undary\r\nContent-Type: application/dicom\r\n\r\n${'D'.repeat(4096)}`); // …then nothing more
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const client = createPacsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dicomweb`);
      const abort = new AbortController();
      let firstBytes!: () => void;
      const started = new Promise<void>((r) => { firstBytes = r; });
      const fetching = client.retrieveSeries('1.2.3', '1.2.3.4', (loaded) => { if (loaded > 0) firstBytes(); }, abort.signal);
      await started;
      abort.abort();
      await expect(fetching).rejects.toMatchObject({ name: 'AbortError' });
      await connectionClosed;
      // Aborted before it starts: rejected at once, nothing sent.
      await expect(client.retrieveSeries('1.2.3', '1.2.3.4', () => {}, abort.signal)).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

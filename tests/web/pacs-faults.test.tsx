// @vitest-environment jsdom
// The PACS panel when a series stops arriving part way (the PACS stopped mid-series: the gateway breaks the answer
// off, which dicomweb-client reports as a request with status 0 after some progress) or arrives short: a clear
// message, nothing handed to the series feature (so nothing analysed, nothing in history), and Open series again
// works once the PACS is back. The real gateway and Orthanc: tests/e2e/pacs-faults.e2e.test.ts.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PacsPanel, type PacsClient } from '../../web/features/pacs/index.ts';

afterEach(cleanup);

const STUDY = { studyUid: '1.2.3', patientName: 'DOE JANE', patientId: 'PID-1', date: '20240229', description: 'MR HEAD', accession: 'ACC1' };
const SERIES = { seriesUid: '1.2.3.4', description: 'T1 AX', modality: 'MR', number: '3', slices: 6 };
const MIB = 1024 * 1024;
const slices = (n: number) => Array.from({ length: n }, (_, k) => new TextEncoder().encode(`dicom ${k + 1}`).buffer);
/** What dicomweb-client rejects with when the connection drops mid-answer (readyState 4, status 0). */
const networkError = () => Object.assign(new Error('request failed'), { status: 0, response: null });

type Retrieve = PacsClient['retrieveSeries'];
function client(retrieve: Retrieve): PacsClient {
  return {
    searchStudies: vi.fn(async () => [STUDY]),
    searchSeries: vi.fn(async () => [SERIES]),
    storeInstances: vi.fn(async () => {}),
    retrieveSeries: vi.fn(retrieve),
  };
}

async function openSeries(c: PacsClient, onFiles: (files: File[]) => void) {
  render(<PacsPanel client={c} online onFiles={onFiles} />);
  fireEvent.click(screen.getByRole('button', { name: 'Search' }));
  const study = await screen.findByText(/DOE JANE/);
  fireEvent.click(within(study.closest('li')!).getByRole('button', { name: 'Series' }));
  await screen.findByText(/T1 AX · MR · 6 slices/);
  await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Open series' })); });
}

describe('PACS panel: a series that does not arrive whole', () => {
  it('stopped after some bytes: says so (not "offline"), hands nothing on; Open series again after the PACS is back hands the whole series once', async () => {
    let attempt = 0;
    const c = client(async (_s, _r, onProgress) => {
      attempt++;
      onProgress(attempt === 1 ? 40 * 1024 : 0.5 * MIB, null);
      if (attempt === 1) throw networkError();
      onProgress(3 * MIB, null);
      return slices(6);
    });
    const onFiles = vi.fn();
    await openSeries(c, onFiles);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The series did not arrive whole (it stopped after 40 KiB: the PACS or the connection went away). Nothing was kept or analysed; try again when the PACS is back.');
    expect(onFiles).not.toHaveBeenCalled();
    expect(screen.queryByTestId('pacs-progress')).toBeNull();
    const again = screen.getByRole('button', { name: 'Open series' });
    expect((again as HTMLButtonElement).disabled).toBe(false);
    await act(async () => { fireEvent.click(again); });
    expect(onFiles).toHaveBeenCalledTimes(1);
    expect((onFiles.mock.calls[0]![0] as File[]).map((f) => f.name)).toEqual(['0001.dcm', '0002.dcm', '0003.dcm', '0004.dcm', '0005.dcm', '0006.dcm']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('past a MiB the amount is said in MiB', async () => {
    await openSeries(client(async (_s, _r, onProgress) => { onProgress(2.25 * MIB, 4 * MIB); throw networkError(); }), vi.fn());
    expect((await screen.findByRole('alert')).textContent).toMatch(/^The series did not arrive whole \(it stopped after 2\.3 MiB:/);
  });

  it('fewer slices than the PACS counts (an answer that parsed short): said, nothing handed on', async () => {
    const onFiles = vi.fn();
    await openSeries(client(async (_s, _r, onProgress) => { onProgress(MIB, null); return slices(4); }), onFiles);
    expect((await screen.findByRole('alert')).textContent).toMatch(/^The series did not arrive whole \(only 4 of 6 slices arrived/);
    expect(onFiles).not.toHaveBeenCalled();
  });

  it('no byte at all: still the server unreachable; the gateway\'s 502: the PACS not answering', async () => {
    const onFiles = vi.fn();
    await openSeries(client(async () => { throw networkError(); }), onFiles);
    expect((await screen.findByRole('alert')).textContent).toBe('The server cannot be reached (offline?). Local files still work.');
    cleanup();
    await openSeries(client(async () => { throw Object.assign(new Error('request failed'), { status: 502, response: '{"error":"x","code":"pacs_unavailable"}' }); }), onFiles);
    expect((await screen.findByRole('alert')).textContent).toMatch(/PACS is not answering/);
    cleanup();
    await openSeries(client(async () => { throw Object.assign(new Error('request failed'), { status: 502, response: '{"error":"x","code":"pacs_refused"}' }); }), onFiles);
    expect((await screen.findByRole('alert')).textContent).toMatch(/PACS refused the server's credentials/);
    expect(onFiles).not.toHaveBeenCalled();
  });
});

// @vitest-environment jsdom
// "Analyse on server" for a series (issue 13): offered only with the same consent as for one image — an explicit
// click, or the automatic-fallback setting when the device cannot analyse — never while the server is unusable;
// the series' files go to analyseOnServer (App: de-identified in the worker, then POST /api/series) and the answer
// is shown in the same view, labelled Server. The worker is stubbed here; the de-identification has its own tests
// (tests/models/dicom-deidentify.test.ts).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { SeriesPanel, type SeriesEngine } from '../../web/features/series/index.ts';
import type { ServerSeriesAnswer } from '../../web/lib/api.ts';
import type { DicomHeader, HeaderAnswer } from '../../web/lib/dicom-info.ts';
import type { SeriesRun } from '../../web/lib/inference.ts';

afterEach(cleanup);
HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];

const meta = (z: number): SliceMeta => ({
  modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: `2.25.1${z}`, seriesInstanceUid: '2.25.20', studyInstanceUid: '2.25.10',
  seriesDescription: 'T1 AX', seriesNumber: 3, instanceNumber: z + 1, imageOrientation: [1, 0, 0, 0, 1, 0], imagePosition: [0, 0, z], pixelSpacing: [0.9, 0.9],
  sliceThickness: 5, repetitionTime: 500, echoTime: 10, inversionTime: null, scanningSequence: 'SE', sequenceVariant: '', contrastAgent: '', bodyPart: 'HEAD',
});
const header = (z: number): DicomHeader => ({ meta: meta(z), frames: 1, rows: 8, columns: 8, patient: { name: 'DOE JANE', id: 'PID-12345', studyDate: '20240229', studyDescription: 'MR HEAD' } });

const files = [3, 0, 2, 1].map((z) => new File([new Uint8Array(8)], `IM${z}`));
const answers: HeaderAnswer[] = [3, 0, 2, 1].map((z, i) => ({ index: i, ok: true, header: header(z) }));
const readHeaders = vi.fn(async (blobs: Blob[]) => blobs.map((b, i) => ({ ...answers[files.indexOf(b as File)]!, index: i })));

const ANSWER: ServerSeriesAnswer = {
  files: 4, skipped: {}, ms: 12,
  series: [{
    id: 'row-1', studyInstanceUID: '2.25.99', seriesInstanceUID: '2.25.98', description: 'T1 AX', modality: 'MR', orientation: 'axial', slices: 4,
    result: 'Tumor', tumorProbability: 0.9731, uncertain: false, label: 'glioma', counted: 3, outside: { 'edge of the head': 1 }, keySlices: [],
    model: { name: 'bigbrain', version: '1.2.0' },
  }],
};

const idleEngine = (): SeriesEngine & { calls: number } => {
  const e = {
    calls: 0,
    analyseSeries: (): SeriesRun => {
      e.calls++;
      return { done: new Promise(() => undefined), cancel: vi.fn() };
    },
  };
  return e;
};

async function choose(props: Partial<Parameters<typeof SeriesPanel>[0]>) {
  const analyseOnServer = vi.fn(async (_files: Blob[]) => ANSWER);
  render(<SeriesPanel engine={null} readHeaders={readHeaders} deviceUnavailable="no WebAssembly" flushMs={0} analyseOnServer={analyseOnServer} {...props} />);
  fireEvent.change(screen.getByLabelText('DICOM files of a series'), { target: { files } });
  await screen.findByRole('region', { name: 'Studies' });
  return { analyseOnServer: (props.analyseOnServer ?? analyseOnServer) as typeof analyseOnServer, analyseButton: screen.getByRole('button', { name: 'Analyse series T1 AX' }) as HTMLButtonElement };
}

const serverButton = () => screen.queryByRole('button', { name: 'Analyse on server' });

describe('series: Analyse on server', () => {
  it('is not offered while the server is unusable (signed out, offline): nothing is sent, the reason is shown', async () => {
    const { analyseOnServer, analyseButton } = await choose({ server: { available: false, reason: 'Sign in to analyse on the server.' }, autoServer: true });
    expect(analyseButton.disabled).toBe(true);
    const engine = idleEngine();
    cleanup();
    const again = await choose({ engine, server: { available: false, reason: 'Sign in to analyse on the server.' }, autoServer: true });
    fireEvent.click(again.analyseButton);
    expect(engine.calls).toBe(1);
    expect(serverButton()).toBeNull();
    expect(screen.getByText('Sign in to analyse on the server.')).toBeTruthy();
    expect(analyseOnServer).not.toHaveBeenCalled();
    expect(again.analyseOnServer).not.toHaveBeenCalled();
  });

  it('device cannot analyse, setting off: choosing the series sends nothing; the explicit click sends its files and shows the Server verdict', async () => {
    const { analyseOnServer, analyseButton } = await choose({ server: { available: true, reason: null }, autoServer: false });
    expect(analyseButton.disabled).toBe(false);
    fireEvent.click(analyseButton);
    await waitFor(() => expect(serverButton()).toBeTruthy());
    expect(analyseOnServer).not.toHaveBeenCalled();
    expect(screen.getByText(/de-identified copies/)).toBeTruthy();
    fireEvent.click(serverButton()!);
    expect(analyseOnServer).toHaveBeenCalledTimes(1);
    expect(new Set(analyseOnServer.mock.calls[0]![0])).toEqual(new Set(files));
    const verdict = await screen.findByRole('article', { name: 'Server verdict' });
    expect(verdict.textContent).toBe('Server Tumor P(tumour) 97.3 % · glioma · 3 of 4 slices counted');
    expect(screen.getByTestId('server-series-probability').getAttribute('data-value')).toBe('0.9731');
  });

  it('device cannot analyse, automatic setting on: choosing the series sends it without a further click', async () => {
    const { analyseOnServer, analyseButton } = await choose({ server: { available: true, reason: null }, autoServer: true });
    fireEvent.click(analyseButton);
    await screen.findByRole('article', { name: 'Server verdict' });
    expect(analyseOnServer).toHaveBeenCalledTimes(1);
  });

  it('device can analyse: the device runs; the server only on the explicit click, whatever the setting', async () => {
    const engine = idleEngine();
    const { analyseOnServer, analyseButton } = await choose({ engine, server: { available: true, reason: null }, autoServer: true });
    fireEvent.click(analyseButton);
    expect(engine.calls).toBe(1);
    expect(serverButton()).toBeTruthy();
    expect(analyseOnServer).not.toHaveBeenCalled();
    fireEvent.click(serverButton()!);
    await screen.findByRole('article', { name: 'Server verdict' });
    expect(analyseOnServer).toHaveBeenCalledTimes(1);
  });

  it('a server error is shown, labelled Server', async () => {
    const analyseOnServer = vi.fn(async () => { throw new Error('The server answered 429.'); });
    await choose({ server: { available: true, reason: null }, analyseOnServer });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
    fireEvent.click(serverButton()!);
    expect((await screen.findByRole('alert')).textContent).toBe('Server: The server answered 429.');
  });
});

// @vitest-environment jsdom
// DICOM in the analyse panel and the history (the worker is stubbed; tests/e2e/dicom*.e2e.test.ts run the real one):
// a multi-frame file becomes one row per frame; the card shows whose scan it is; "Analyse on server" sends the
// decoded frame's PNG, never the file, and nothing at all for a refused CT; the picker and paste take DICOM; the
// history keeps none of the patient's data.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysePanel, type AnalysePanelProps } from '../../web/features/analyse/index.ts';
import { toRecord } from '../../web/features/history/index.ts';
import type { DicomInfo, FrameRef } from '../../web/lib/dicom-info.ts';
import type { AnalysisResult } from '../../web/lib/types.ts';
import { fakeRefusal, fakeResult } from './fixtures.ts';

afterEach(cleanup);

const PATIENT = { name: 'DOE JANE', id: 'PID-12345', studyDate: '20240229' };
const info = (over: Partial<DicomInfo> = {}): DicomInfo => ({
  frame: 1,
  frames: 1,
  modality: 'MR',
  transferSyntax: '1.2.840.10008.1.2.4.80',
  transferSyntaxName: 'JPEG-LS Lossless',
  seriesDescription: 'T1 AX',
  window: { center: 2040.5, width: 4081, source: 'file' },
  sopInstanceUidSha256: 'b'.repeat(64),
  pixelsSha256: 'c'.repeat(64),
  patient: PATIENT,
  ...over,
});

/** Bytes that sniff as DICOM (Part 10: preamble + "DICM"), with no name and no type, as a scanner writes them. */
const dicomFile = (name: string) => {
  const b = new Uint8Array(256);
  b.set([0x44, 0x49, 0x43, 0x4d], 128);
  return new File([b], name);
};

const wrap = (ui: ReactNode) => render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);

function setup(over: Partial<AnalysePanelProps> = {}) {
  const props: AnalysePanelProps = {
    analyseOnDevice: vi.fn(async () => fakeResult({ dicom: info() })),
    dicomFrame: vi.fn(),
    deviceUnavailable: null,
    server: { available: true, reason: null },
    autoServer: false,
    thumbnails: false,
    analyseOnServer: vi.fn(async () => fakeResult({ backend: 'Server', ms: 40, pixels: undefined, cam: undefined, camSize: undefined })),
    onResult: vi.fn(),
    ...over,
  };
  wrap(<AnalysePanel {...props} />);
  const input = screen.getByLabelText('MRI image') as HTMLInputElement;
  const choose = (...files: File[]) => fireEvent.change(input, { target: { files } });
  return { props, choose, input };
}

describe('DICOM in the analyse panel', () => {
  it('the picker takes DICOM (.dcm, application/dicom, and extension-less files typed application/octet-stream) besides images', () => {
    const { input } = setup();
    const accept = input.accept.split(',');
    expect(accept).toEqual(expect.arrayContaining(['image/jpeg', 'image/png', 'image/webp', '.dcm', 'application/dicom', 'application/octet-stream']));
  });

  it('an extension-less file with no type goes to the device like any other (no filtering by name or type)', async () => {
    const { choose, props } = setup();
    const file = dicomFile('IM000042');
    expect(file.type).toBe('');
    choose(file);
    await waitFor(() => expect(props.analyseOnDevice).toHaveBeenCalledTimes(1));
    expect(vi.mocked(props.analyseOnDevice!).mock.calls[0]![0]).toBe(file);
  });

  it('a multi-frame file becomes a batch: one row per frame, each analysed with its frame number, one parse key', async () => {
    const analyseOnDevice = vi.fn(async (_b: Blob, ref?: FrameRef) => fakeResult({ dicom: info({ frame: ref!.frame, frames: 3 }) }));
    const { choose, props } = setup({ analyseOnDevice });
    choose(dicomFile('IM0001'));
    await screen.findByText('Analysed 3 of 3');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('button')[0]!.textContent)).toEqual(['IM0001 · frame 1/3', 'IM0001 · frame 2/3', 'IM0001 · frame 3/3']);
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['done', 'done', 'done']);
    const refs = analyseOnDevice.mock.calls.map((c) => c[1]!);
    expect(refs.map((r) => r.frame)).toEqual([1, 2, 3]);
    expect(new Set(refs.map((r) => r.key)).size).toBe(1);
    await waitFor(() => expect(props.onResult).toHaveBeenCalledTimes(3));
    // A frame's image hash is its rendered pixels' (from the worker), not the file's.
    expect(vi.mocked(props.onResult).mock.calls.map((c) => c[0].imageSha256)).toEqual(['c'.repeat(64), 'c'.repeat(64), 'c'.repeat(64)]);
  });

  it('shows whose scan it is and how it was read, next to the result', async () => {
    const { choose } = setup();
    choose(dicomFile('IM0002'));
    const card = await screen.findByRole('article', { name: 'Result for IM0002' });
    const patient = within(card).getByLabelText('Patient (shown on this device only)');
    expect(patient.textContent).toContain('DOE JANE');
    expect(patient.textContent).toContain('PID-12345');
    expect(patient.textContent).toContain('2024-02-29');
    const meta = within(card).getByLabelText('How the DICOM was read').textContent;
    expect(meta).toContain('T1 AX');
    expect(meta).toContain('1 of 1');
    expect(meta).toContain('JPEG-LS Lossless');
    expect(meta).toContain('centre 2040.5, width 4081 (from the file)');
  });

  it('a CT is refused naming its modality: no diagnosis, no bars', async () => {
    const refusal = fakeRefusal({ dicom: info({ modality: 'CT', refusal: 'This DICOM file is CT, not MR: BigBrain reads brain MRI only, so no diagnosis is given.' }) });
    const { choose } = setup({ analyseOnDevice: async () => refusal });
    choose(dicomFile('ct'));
    const card = await screen.findByRole('article', { name: 'Result for ct' });
    expect(card.textContent).toContain('this DICOM file is CT, not MR');
    expect(within(card).getByRole('note').textContent).toContain('CT, not MR');
    expect(within(card).queryByLabelText('Class probabilities')).toBeNull();
  });

  it('"Analyse on server" sends the decoded frame as frame-N.png, never the DICOM file', async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' });
    const dicomFrame = vi.fn(async (_b: Blob, ref: FrameRef) => ({ info: info({ frame: ref.frame, frames: 2 }), png, refusal: null }));
    const analyseOnDevice = vi.fn(async (_b: Blob, ref?: FrameRef) => fakeResult({ dicom: info({ frame: ref!.frame, frames: 2 }) }));
    const { choose, props } = setup({ analyseOnDevice, dicomFrame });
    const file = dicomFile('1.2.840.113619.2.55.3.604688119.969.dcm');
    choose(file);
    await screen.findByText('Analysed 2 of 2');
    const second = screen.getAllByRole('row')[2]!;
    fireEvent.click(within(second).getByRole('button', { name: 'Analyse on server' }));
    await waitFor(() => expect(props.analyseOnServer).toHaveBeenCalledTimes(1));
    const [sent, name] = vi.mocked(props.analyseOnServer).mock.calls[0]!;
    expect(sent).toBe(png);
    expect(sent).not.toBe(file);
    expect(name).toBe('frame-2.png');
    expect(dicomFrame.mock.calls[0]![1].frame).toBe(2);
    await waitFor(() => expect(second.textContent).toContain('Server'));
    // The server's answer keeps the frame's local details, so the card still says whose scan it is.
    fireEvent.click(within(second).getAllByRole('button')[0]!);
    expect((await screen.findByLabelText('Patient (shown on this device only)')).textContent).toContain('DOE JANE');
  });

  it('sends nothing for a DICOM refused on the device, and still decodes on the device when the model cannot run', async () => {
    const refusal = fakeRefusal({ dicom: info({ modality: 'CT', refusal: 'This DICOM file is CT, not MR.' }) });
    const dicomFrame = vi.fn(async () => ({ info: info({ modality: 'CT' }), png: null, refusal }));
    const { choose, props } = setup({ analyseOnDevice: null, deviceUnavailable: 'no WebAssembly SIMD', autoServer: true, dicomFrame });
    choose(dicomFile('ct-2'));
    await screen.findByText(/ct-2: Not a brain MRI/);
    expect(dicomFrame).toHaveBeenCalledTimes(1);
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('a decoder that is not on the device (offline) is the row’s error, not a server retry', async () => {
    const missing = Object.assign(new Error('This DICOM file needs the JPEG 2000 decoder (OpenJPEG), which is not on this device yet.'), { code: 'codec_unavailable' });
    const { choose, props } = setup({ analyseOnDevice: async () => Promise.reject(missing), autoServer: true });
    choose(dicomFile('j2k'));
    await waitFor(() => expect(screen.getAllByRole('row')[1]!.getAttribute('data-status')).toBe('error'));
    expect(screen.getAllByRole('row')[1]!.textContent).toContain('JPEG 2000 decoder (OpenJPEG)');
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('paste takes any file (a DICOM has no image/ type); the worker sniffs it', async () => {
    const { props } = setup();
    const file = dicomFile('pasted');
    const event = Object.assign(new Event('paste'), { clipboardData: { files: [file] } });
    window.dispatchEvent(event);
    await waitFor(() => expect(props.analyseOnDevice).toHaveBeenCalledTimes(1));
    expect(vi.mocked(props.analyseOnDevice!).mock.calls[0]![0]).toBe(file);
  });
});

describe('DICOM in the history', () => {
  it('stores no patient data: a UID hash, modality, series and frame, and a neutral name instead of the file name', () => {
    const result: AnalysisResult = fakeResult({ dicom: info({ frame: 2, frames: 3 }) });
    const r = toRecord({ id: '1', fileName: '1.2.840.113619.2.55.3.604688119.969_DOE_JANE.dcm', result, imageSha256: 'c'.repeat(64) }, 'alice');
    const stored = JSON.stringify(r);
    for (const secret of ['DOE', 'JANE', 'PID-12345', '20240229', '1.2.840.113619', 'patient']) expect(stored).not.toContain(secret);
    expect(r.fileName).toBe('DICOM MR · T1 AX · frame 2/3');
    expect(r.dicom).toEqual({ sopInstanceUidSha256: 'b'.repeat(64), modality: 'MR', seriesDescription: 'T1 AX', frame: 2, frames: 3 });
    expect(r.imageSha256).toBe('c'.repeat(64));
  });
});

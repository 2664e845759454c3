// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnalysePanel, type AnalysePanelProps } from '../../web/features/analyse/index.ts';
import { ENGINE_STOPPED } from '../../web/lib/inference.ts';
import { fakeRefusal, fakeResult, pngFile } from './fixtures.ts';

afterEach(cleanup);

const wrap = (ui: ReactNode) => render(<QueryClientProvider client={new QueryClient()}>{ui}</QueryClientProvider>);

function setup(over: Partial<AnalysePanelProps> = {}) {
  const props: AnalysePanelProps = {
    analyseOnDevice: vi.fn(async () => fakeResult()),
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
  return { props, choose };
}

describe('AnalysePanel', () => {
  it('labels the file input "MRI image" and offers the camera', () => {
    setup();
    expect(screen.getByLabelText('MRI image')).toHaveProperty('type', 'file');
    expect(screen.getByLabelText('Take a photo').getAttribute('capture')).toBe('environment');
  });

  it('announces the result words and the backend in role=status, with bars and the heatmap caption', async () => {
    const { props, choose } = setup();
    choose(pngFile('scan.png'));
    const status = await screen.findByText(/scan\.png: Tumor/);
    expect(status.getAttribute('role')).toBe('status');
    expect(status.textContent).toContain('WASM');
    expect(status.textContent).toContain('85.0 %');
    expect(screen.getByLabelText('Class probabilities').querySelectorAll('meter')).toHaveLength(4);
    expect(screen.getByText(/where the evidence was found, not an outline of the tumour/)).toBeTruthy();
    expect(screen.getByText(/bigbrain-cnn 9\.9\.9-test/)).toBeTruthy();
    await waitFor(() => expect(props.onResult).toHaveBeenCalledTimes(1));
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('says "uncertain" plainly', async () => {
    const { choose } = setup({ analyseOnDevice: async () => fakeResult({ result: 'No Tumor', uncertain: true, tumorProbability: 0.3 }) });
    choose(pngFile('maybe.png'));
    expect((await screen.findByText(/maybe\.png: No Tumor/)).textContent).toMatch(/maybe\.png: No Tumor \(uncertain\)/);
    await screen.findByText('uncertain');
  });

  it('shows a refused image with no label, no P(tumour), no bars and no heat map: "—" in the table and the card', async () => {
    const analyseOnDevice = vi.fn(async (b: Blob) => ((b as File).name === 'icon.png' ? fakeRefusal() : fakeResult()));
    const { choose } = setup({ analyseOnDevice });
    choose(pngFile('scan.png'), pngFile('icon.png'));
    await screen.findByText('Analysed 2 of 2');
    const [scan, icon] = screen.getAllByRole('row').slice(1);
    expect(within(scan!).getAllByRole('cell').map((c) => c.textContent)).toEqual(expect.arrayContaining(['Tumor', '85.0 %']));
    expect(within(icon!).getAllByRole('cell').map((c) => c.textContent)).toEqual(expect.arrayContaining(['Not a brain MRI', '—']));
    expect(icon!.textContent).not.toMatch(/%/);
    const card = screen.getByRole('article', { name: 'Result for icon.png' });
    expect(card.textContent).toMatch(/P\(tumour\) —/);
    expect(card.textContent).toMatch(/no diagnosis/);
    expect(card.textContent).not.toMatch(/%|Glioma|Meningioma|uncertain/);
    expect(within(card).queryByLabelText('Class probabilities')).toBeNull();
    expect(within(card).queryByRole('img')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('icon.png: Not a brain MRI, no diagnosis · WASM, 4.2 ms');
  });

  it('shows a too-small image as an error in its row, like any bad file, with no result', async () => {
    const tooSmall = Object.assign(new Error('Image is 48×48: too small to hold a readable MRI slice (the shorter side must be at least 64 px), so no diagnosis is given.'), { code: 'too_small' });
    const { choose, props } = setup({ analyseOnDevice: vi.fn().mockRejectedValueOnce(tooSmall).mockResolvedValue(fakeResult()) });
    choose(pngFile('icon.png'), pngFile('scan.png'));
    await screen.findByText('Analysed 2 of 2');
    const [icon] = screen.getAllByRole('row').slice(1);
    expect(icon!.getAttribute('data-status')).toBe('error');
    expect(within(icon!).getByText(/48×48: too small/)).toBeTruthy();
    await waitFor(() => expect(props.onResult).toHaveBeenCalledTimes(1));
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('runs a batch with a progress bar; a bad file shows its error in its row and the rest go on', async () => {
    const analyseOnDevice = vi.fn(async (b: Blob) => {
      if ((b as File).name === 'bad.png') throw Object.assign(new Error('The PNG file is corrupt or truncated.'), { code: 'corrupt_image' });
      return fakeResult();
    });
    const { choose, props } = setup({ analyseOnDevice });
    choose(pngFile('a.png'), pngFile('bad.png'), pngFile('c.png'));
    await screen.findByText('Analysed 3 of 3');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['done', 'error', 'done']);
    expect(within(rows[1]!).getByText(/corrupt/)).toBeTruthy();
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('never sends an image to the server without consent, even when the device fails', async () => {
    const { props, choose } = setup({ analyseOnDevice: async () => Promise.reject(new Error('wasm crashed')) });
    choose(pngFile('scan.png'));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/not analysed — The on-device run failed: wasm crashed/));
    expect(props.analyseOnServer).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Analyse on server' }));
    expect((await screen.findByText(/scan\.png: Tumor/)).textContent).toContain('Server');
    expect(props.analyseOnServer).toHaveBeenCalledTimes(1);
  });

  it('runs an image again when the engine restarted under it (a repaired runtime), without an error or the server', async () => {
    const stopped = Object.assign(new Error('The on-device engine was restarted.'), { code: ENGINE_STOPPED });
    const analyseOnDevice = vi.fn().mockRejectedValueOnce(stopped).mockResolvedValue(fakeResult());
    const { props, choose } = setup({ analyseOnDevice });
    choose(pngFile('scan.png'));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/scan\.png: Tumor/));
    expect(analyseOnDevice).toHaveBeenCalledTimes(2);
    expect(props.analyseOnServer).not.toHaveBeenCalled();
    // The result is reported once its row is settled, which may be a render after the status line.
    await waitFor(() => expect(props.onResult).toHaveBeenCalledTimes(1));
  });

  it('falls back to the server automatically only when the setting is on', async () => {
    const { props, choose } = setup({ analyseOnDevice: null, deviceUnavailable: 'no WebAssembly SIMD', autoServer: true });
    choose(pngFile('scan.png'));
    expect((await screen.findByText(/scan\.png: Tumor/)).textContent).toContain('Server');
    expect(props.analyseOnServer).toHaveBeenCalledTimes(1);
  });

  it('says why the server is unavailable when signed out or offline', async () => {
    const { props, choose } = setup({ analyseOnDevice: null, deviceUnavailable: 'no WebAssembly SIMD', autoServer: true, server: { available: false, reason: 'Sign in to analyse on the server.' } });
    choose(pngFile('scan.png'));
    await screen.findByText(/Sign in to analyse on the server\./);
    expect((screen.getByRole('button', { name: 'Analyse on server' }) as HTMLButtonElement).disabled).toBe(true);
    expect(props.analyseOnServer).not.toHaveBeenCalled();
  });

  it('puts a caution on camera photos', async () => {
    setup();
    fireEvent.change(screen.getByLabelText('Take a photo'), { target: { files: [pngFile('photo.png')] } });
    await screen.findByText(/this is a camera photo/);
  });
});

// @vitest-environment jsdom
// The one-page report (web/features/report): everything the issue lists is on it, the patient's name and ID only
// once ticked for this report, and a DICOM batch from the Analyse panel becomes a SeriesResult by the shared rule.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MODEL_INFO, MODEL_SHA256, SERIES_RULE } from '../../models/core/model.ts';
import { SeriesReport, seriesFromSlices } from '../../web/features/report/index.ts';
import { fakeRefusal, fakeResult } from './fixtures.ts';
import { fakeSeries } from './series-fixture.ts';

afterEach(cleanup);

const disclaimer = <p className="disclaimer">Research and triage support only — not a medical device.</p>;

describe('series report', () => {
  it('shows the study, verdict, key slices, chart, model, thresholds, backend, time and disclaimer; no patient until ticked', () => {
    const print = vi.fn();
    const onClose = vi.fn();
    render(<SeriesReport result={fakeSeries()} onClose={onClose} disclaimer={disclaimer} print={print} />);
    const dialog = screen.getByRole('dialog', { name: 'BigBrain series report' });
    const text = () => dialog.textContent ?? '';
    for (const s of ['BRAIN WITH CONTRAST FAKE STUDY', '2024-02-29', 'T1 AX FIXTURE', 'Tumor', '83.0 %', 'Glioma', MODEL_INFO.name, MODEL_INFO.version, MODEL_SHA256, 'mean of the top-3 slice P(tumour)', 'WASM ×2 threads', 'Research and triage support only'])
      expect(text(), s).toContain(s);
    expect(within(dialog).getAllByRole('img', { name: /^Key slice \d/ })).toHaveLength(3);
    expect(within(dialog).getByRole('img', { name: /P\(tumour\) along 24 slices, highest 87 % at slice 14; 1 not counted/ })).toBeTruthy();
    expect(text()).not.toMatch(/DOE|PID-12345/);
    const box = screen.getByRole('checkbox', { name: /patient’s name and ID/ }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect(within(dialog).getByLabelText('Patient').textContent).toMatch(/DOE JANE.*PID-12345/);
    fireEvent.click(screen.getByRole('button', { name: 'Print' }));
    expect(print).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Close report' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('takes the focus, closes on Escape and gives the focus back to what opened it', () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const onClose = vi.fn();
    const { unmount } = render(<SeriesReport result={fakeSeries()} onClose={onClose} disclaimer={disclaimer} />);
    expect(document.activeElement).toBe(screen.getByRole('dialog'));
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('a report opened again starts with the patient box unticked', () => {
    const { unmount } = render(<SeriesReport result={fakeSeries()} onClose={() => {}} disclaimer={disclaimer} />);
    fireEvent.click(screen.getByRole('checkbox'));
    unmount();
    render(<SeriesReport result={fakeSeries()} onClose={() => {}} disclaimer={disclaimer} />);
    expect((screen.getByRole('checkbox') as HTMLInputElement).checked).toBe(false);
    expect(screen.queryByLabelText('Patient')).toBeNull();
  });

  it('a batch of DICOM slices: the shared series rule, key slices with their crops, refusals not counted', () => {
    const dicom = (frame: number) => ({
      frame, frames: 4, modality: 'MR', transferSyntax: '1.2.840.10008.1.2.1', transferSyntaxName: 'Explicit VR Little Endian', seriesDescription: 'T1 AX',
      window: null, sopInstanceUidSha256: 'a'.repeat(64), patient: { name: 'DOE JANE', id: 'PID-12345', studyDate: '20240229' },
    });
    const ps = [0.2, 0.999, 0.995, 0.1];
    const slices = ps.map((p, i) => ({ result: fakeResult({ tumorProbability: p, result: p >= 0.5 ? 'Tumor' : 'No Tumor', dicom: dicom(i + 1) }) }));
    slices.push({ result: fakeRefusal({ dicom: dicom(5) }) });
    const r = seriesFromSlices(slices, new Date('2026-12-01T10:00:00Z'));
    const mean = (0.999 + 0.995) / 2;
    expect(r.verdict.tumorProbability).toBeCloseTo(mean, 4);
    expect(r.verdict.result).toBe(mean >= SERIES_RULE.uncertainBand[0] && mean <= SERIES_RULE.uncertainBand[1] ? 'Uncertain' : mean >= SERIES_RULE.threshold ? 'Tumor' : 'No Tumor');
    expect(r.verdict.keySlices).toEqual([1, 2, 0]);
    expect(r.keySlices.map((k) => k.index)).toEqual([1, 2, 0]);
    expect(r.keySlices[0]!.image).toMatchObject({ width: 96, height: 96 });
    expect(Math.max(...Array.from(r.keySlices[0]!.heatmap!.values))).toBeCloseTo(0.999, 3);
    expect(r.slices.map((s) => s.counted)).toEqual([true, true, true, true, false]);
    expect(r.series).toMatchObject({ description: 'T1 AX', modality: 'MR', slices: 5 });
    expect(r.study.date).toBe('20240229');
    expect(r.model.sha256).toBe(MODEL_SHA256);
    expect(r.thresholds.series.threshold).toBe(SERIES_RULE.threshold);
    expect(r.verdict.outside).toEqual(['not a brain MRI (1 slice)']);
  });
});

// @vitest-environment jsdom
// Series reading in the PWA (the worker is stubbed; tests/e2e/series.e2e.test.ts runs the real one): the study list
// from headers (Study → Series, slices in order along the normal whatever the file order, skips counted), progress
// and cancel, the verdict from the shared seriesVerdict with its key slices and chart, the viewer's keys and slider.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SliceMeta } from '../../models/core/dicom/index.ts';
import { SCOPE, SERIES_RULE } from '../../models/core/model.ts';
import { SeriesPanel, type SeriesEngine } from '../../web/features/series/index.ts';
import type { DicomHeader, HeaderAnswer, SliceView } from '../../web/lib/dicom-info.ts';
import type { SeriesRun, SeriesSliceAnswer, SeriesSliceRequest } from '../../web/lib/inference.ts';
import type { AnalysisResult, SeriesResult } from '../../web/lib/types.ts';
import { fakeResult } from './fixtures.ts';

afterEach(cleanup);
// jsdom has no canvas: drawing is skipped (the e2e suite draws), without jsdom's warning on every frame
HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];

const AXIAL = [1, 0, 0, 0, 1, 0];
const SAGITTAL = [0, 1, 0, 0, 0, -1];
const meta = (over: Partial<SliceMeta>): SliceMeta => ({
  modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: '2.25.1', seriesInstanceUid: '2.25.20', studyInstanceUid: '2.25.10',
  seriesDescription: 'T1 AX', seriesNumber: 3, instanceNumber: 1, imageOrientation: AXIAL, imagePosition: [0, 0, 0], pixelSpacing: [0.9, 0.9],
  sliceThickness: 5, repetitionTime: 500, echoTime: 10, inversionTime: null, scanningSequence: 'SE', sequenceVariant: '', contrastAgent: '', bodyPart: 'HEAD',
  ...over,
});
const PATIENT = { name: 'DOE JANE', id: 'PID-12345', studyDate: '20240229', studyDescription: 'MR HEAD' };
const header = (m: Partial<SliceMeta>, patient = PATIENT): DicomHeader => ({ meta: meta(m), frames: 1, rows: 8, columns: 8, patient });

/** Files whose content the stubbed worker never looks at; the headers say what each is. */
function folder() {
  const files: File[] = [];
  const answers: Array<HeaderAnswer | null> = [];
  const add = (name: string, a: HeaderAnswer | null) => {
    files.push(new File([new Uint8Array(8)], name));
    answers.push(a);
  };
  // T1 AX: 6 slices at z = 0, 5, …, 25, added shuffled (file order says nothing); instance numbers reversed
  for (const z of [15, 0, 25, 5, 20, 10]) add(`IM${z}`, { index: 0, ok: true, header: header({ sopInstanceUid: `2.25.1${z}`, imagePosition: [0, 0, z], instanceNumber: 30 - z }) });
  // T2 SAG in the same study: 3 slices
  for (const x of [2, 0, 1]) add(`SAG${x}`, { index: 0, ok: true, header: header({ seriesInstanceUid: '2.25.21', seriesNumber: 5, seriesDescription: 'T2 SAG', imageOrientation: SAGITTAL, imagePosition: [x, 0, 0], instanceNumber: x + 1 }) });
  // another study, another patient: FLAIR 2 slices
  for (const z of [1, 0]) add(`OTHER${z}`, { index: 0, ok: true, header: header({ studyInstanceUid: '2.25.11', seriesInstanceUid: '2.25.22', seriesDescription: 'FLAIR AX', imagePosition: [0, 0, z] }, { ...PATIENT, name: 'ROE RICHARD', id: 'PID-2', studyDate: '20230101', studyDescription: 'MR BRAIN' }) });
  add('README.txt', { index: 0, ok: false, skip: 'not-dicom', message: 'not a DICOM file' });
  add('DICOMDIR', { index: 0, ok: false, skip: 'no-image', message: 'no image' });
  add('broken.dcm', { index: 0, ok: false, skip: 'unreadable', message: 'corrupt' });
  return { files, answers: answers as HeaderAnswer[] };
}

/** readHeaders as the worker answers: per request, indices within the request. */
function headerReader(files: File[], answers: HeaderAnswer[]) {
  return vi.fn(async (blobs: Blob[]) => blobs.map((b, i) => ({ ...answers[files.indexOf(b as File)]!, index: i })));
}

const view = (v: number): SliceView => ({ width: 8, height: 8, values: new Int16Array(64).fill(v), min: 0, max: 1000, window: { center: 500, width: 1000 }, invert: false });

/** An engine that answers when the test says so. */
function controlledEngine() {
  const runs: Array<{ slices: SeriesSliceRequest[]; onSlice: (r: SeriesSliceAnswer) => void; finish: (cancelled: boolean) => void; cancel: ReturnType<typeof vi.fn> }> = [];
  const engine: SeriesEngine = {
    analyseSeries(slices, onSlice) {
      let finish!: (cancelled: boolean) => void;
      const done = new Promise<{ cancelled: boolean }>((resolve) => (finish = (cancelled) => resolve({ cancelled })));
      const cancel = vi.fn();
      runs.push({ slices, onSlice, finish, cancel });
      return { done, cancel } satisfies SeriesRun;
    },
  };
  const answer = (i: number, result: AnalysisResult, run = runs.at(-1)!) => act(() => run.onSlice({ type: 'series-slice', id: 1, index: i, result }));
  return { engine, runs, answer };
}

function setup(engine: SeriesEngine | null = controlledEngine().engine, onSeriesResult = vi.fn()) {
  const { files, answers } = folder();
  const readHeaders = headerReader(files, answers);
  render(<SeriesPanel engine={engine} readHeaders={readHeaders} deviceUnavailable={null} onSeriesResult={onSeriesResult} flushMs={0} />);
  const choose = () => fireEvent.change(screen.getByLabelText('DICOM files of a series'), { target: { files } });
  return { files, readHeaders, choose, onSeriesResult };
}

const seriesRow = (name: string) => screen.getAllByRole('row').find((r) => r.getAttribute('data-series') === name)!;

describe('series: the study list', () => {
  it('groups a shuffled folder into studies and series from the headers, counts the skipped files, offers a folder picker', async () => {
    const { choose, readHeaders } = setup();
    expect(screen.getByLabelText('Folder of DICOM files').hasAttribute('webkitdirectory')).toBe(true);
    choose();
    await screen.findByRole('region', { name: 'Studies' });
    expect(readHeaders).toHaveBeenCalledTimes(1);
    const studies = screen.getAllByRole('article');
    expect(studies).toHaveLength(2);
    const first = within(studies[0]!);
    expect(first.getByRole('heading').textContent).toBe('MR HEAD');
    expect(studies[0]!.textContent).toContain('DOE JANE · PID-12345');
    expect(studies[0]!.textContent).toContain('2024-02-29');
    expect(studies[1]!.textContent).toContain('ROE RICHARD');
    expect(studies[1]!.textContent).toContain('2023-01-01');
    // description, modality, slice count, orientation; series by series number
    const cells = (name: string) => within(seriesRow(name)).getAllByRole('cell').map((c) => c.textContent);
    expect(seriesRow('T1 AX').querySelector('th')!.textContent).toBe('3 · T1 AX');
    expect(cells('T1 AX').slice(0, 3)).toEqual(['MR', '6', 'axial']);
    expect(cells('T2 SAG').slice(0, 3)).toEqual(['MR', '3', 'sagittal']);
    expect(cells('FLAIR AX').slice(0, 3)).toEqual(['MR', '2', 'axial']);
    expect(within(studies[0]!).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-series'))).toEqual(['T1 AX', 'T2 SAG']);
    expect(screen.getByText(/Skipped 3 files: 1 not DICOM, 1 DICOM without an image \(DICOMDIR, report\), 1 unreadable\./)).toBeTruthy();
    expect(screen.getByText(/2 studies, 3 series, 11 slices\./)).toBeTruthy();
  });

  it('asks for headers in chunks of 32 files (the list of 200 fills in steps), indices carried over', async () => {
    const files = Array.from({ length: 70 }, (_, i) => new File([new Uint8Array(4)], `IM${i}`));
    const answers: HeaderAnswer[] = files.map((_, i) => ({ index: i, ok: true, header: header({ sopInstanceUid: `2.25.5${i}`, imagePosition: [0, 0, i], instanceNumber: i + 1 }) }));
    const readHeaders = headerReader(files, answers);
    render(<SeriesPanel engine={null} readHeaders={readHeaders} deviceUnavailable="no WebAssembly" />);
    fireEvent.change(screen.getByLabelText('DICOM files of a series'), { target: { files } });
    await screen.findByRole('region', { name: 'Studies' });
    expect(readHeaders.mock.calls.map((c) => c[0].length)).toEqual([32, 32, 6]);
    expect(within(seriesRow('T1 AX')).getAllByRole('cell')[1]!.textContent).toBe('70');
    // no engine: the list is there, Analyse is not offered, and the reason is given
    expect((within(seriesRow('T1 AX')).getByRole('button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('This device cannot analyse: no WebAssembly')).toBeTruthy();
  });
});

describe('series: analysis', () => {
  it('sends the slices in order along the normal, shows progress with slices/s and time left, and Cancel stops it', async () => {
    const c = controlledEngine();
    const { choose } = setup(c.engine);
    choose();
    await screen.findByRole('region', { name: 'Studies' });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
    expect(c.runs).toHaveLength(1);
    const run = c.runs[0]!;
    // z = 0, 5, …, 25 are the files IM0, IM5, … : file order was 15, 0, 25, 5, 20, 10
    expect(run.slices.map((s) => (s.blob as File).name)).toEqual(['IM0', 'IM5', 'IM10', 'IM15', 'IM20', 'IM25']);
    expect(run.slices.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(screen.getByRole('button', { name: 'Analyse series T2 SAG' })).toHaveProperty('disabled', true); // one run at a time
    c.answer(0, fakeResult({ tumorProbability: 0.1, result: 'No Tumor', label: 'notumor' }));
    c.answer(1, fakeResult({ tumorProbability: 0.2, result: 'No Tumor', label: 'notumor' }));
    const progress = screen.getByTestId('series-progress');
    expect(progress.textContent).toMatch(/^2 of 6 slices · [\d.]+ slices\/s · about \d+ s left$/);
    expect((screen.getByRole('progressbar', { name: 'Slices analysed' }) as HTMLProgressElement).value).toBe(2);
    expect(screen.getByTestId('series-result').textContent).toBe('No Tumor');
    expect(screen.getByText('so far')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(run.cancel).toHaveBeenCalledTimes(1);
    await act(async () => run.finish(true));
    expect(screen.getByTestId('series-progress').textContent).toMatch(/^Cancelled: 2 of 6 slices/);
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    // what was analysed can be looked at; the rest says it was not analysed
    const viewer = screen.getByRole('group', { name: 'Slice viewer' });
    fireEvent.keyDown(viewer, { key: 'End' });
    expect(screen.getByTestId('slice-answer').textContent).toBe('Not analysed yet.');
  });

  it('the screen follows the answers at most every flushMs (the worker is not waited for), and shows them all at the end', async () => {
    const c = controlledEngine();
    const { files, answers } = folder();
    render(<SeriesPanel engine={c.engine} readHeaders={headerReader(files, answers)} deviceUnavailable={null} flushMs={100} />);
    fireEvent.change(screen.getByLabelText('DICOM files of a series'), { target: { files } });
    await screen.findByRole('region', { name: 'Studies' });
    vi.useFakeTimers();
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
      for (let i = 0; i < 4; i++) c.answer(i, fakeResult({ tumorProbability: 0.1, result: 'No Tumor', label: 'notumor' }));
      expect(screen.getByTestId('series-progress').textContent).toMatch(/^1 of 6 slices/);
      act(() => vi.advanceTimersByTime(100));
      expect(screen.getByTestId('series-progress').textContent).toMatch(/^4 of 6 slices/);
      for (let i = 4; i < 6; i++) c.answer(i, fakeResult({ tumorProbability: 0.1, result: 'No Tumor', label: 'notumor' }));
      await act(async () => c.runs[0]!.finish(false));
      expect(screen.getByTestId('series-progress').textContent).toMatch(/^6 of 6 slices/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the verdict: Tumor from the shared rule, P(tumour), type, key slices most suspicious first with heat maps, the chart; a SeriesResult for the report', async () => {
    const c = controlledEngine();
    const { choose, onSeriesResult } = setup(c.engine);
    choose();
    await screen.findByRole('region', { name: 'Studies' });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
    const ps = [0.01, 0.02, 0.995, 0.03, 0.99, null];
    ps.forEach((p, i) =>
      c.answer(i, p === null
        ? ({ ...fakeResult(), result: 'Outside validated use', label: null, probabilities: null, tumorProbability: null, uncertain: false, outside: ['edge of the head'], view: view(i) } as unknown as AnalysisResult)
        : fakeResult({ tumorProbability: p, result: p > 0.5 ? 'Tumor' : 'No Tumor', label: p > 0.5 ? 'glioma' : 'notumor', view: view(100 * i) })),
    );
    await act(async () => c.runs[0]!.finish(false));
    const verdict = screen.getByRole('article', { name: 'Series verdict' });
    const score = (0.995 + 0.99) / 2;
    const expected = score >= SERIES_RULE.uncertainBand[0] && score <= SERIES_RULE.uncertainBand[1] ? 'Uncertain' : score >= SERIES_RULE.threshold ? 'Tumor' : 'No Tumor';
    expect(within(verdict).getByTestId('series-result').textContent).toBe(expected);
    expect(within(verdict).getByTestId('series-probability').textContent).toBe(`${(score * 100).toFixed(1)} %`);
    expect(verdict.textContent).toContain('type: glioma');
    expect(verdict.textContent).toContain('5 of 6 slices counted. Not counted: edge of the head (1).');
    const keys = within(verdict).getAllByRole('listitem');
    expect(keys.map((k) => k.getAttribute('data-slice'))).toEqual(['2', '4', '3']);
    expect(within(keys[0]!).getByRole('img').getAttribute('aria-label')).toBe('Key slice 1: slice 3, with its heat map');
    expect(keys[0]!.textContent).toContain('Slice 3 · 10.0 mm · P(tumour) 99.5 %');
    // the chart: x along the normal in mm; five counted points, one tick for the slice that does not count
    const svg = document.querySelector('.series-chart svg')!;
    expect(svg.getAttribute('aria-label')).toMatch(/6 slices by position \(mm\); 5 counted, highest 100 %/);
    expect(svg.querySelectorAll('circle')).toHaveLength(5);
    expect(svg.querySelectorAll('rect[data-outside]')).toHaveLength(1);
    expect(svg.textContent).toContain('slice position along the normal (mm), 0 to 25');
    // the viewer opens on the most suspicious slice, with its own answer
    expect(screen.getByText('Slice 3 of 6')).toBeTruthy();
    expect(screen.getByTestId('slice-answer').textContent).toBe('Tumor · P(tumour) 99.5 % · glioma');
    // a key slice's Show puts it in the viewer and focuses the viewer
    fireEvent.click(within(keys[2]!).getByRole('button', { name: 'Show slice 4 in the viewer' }));
    expect(screen.getByText('Slice 4 of 6')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole('group', { name: 'Slice viewer' }));
    await waitFor(() => expect(onSeriesResult).toHaveBeenCalledTimes(1));
    const r = onSeriesResult.mock.calls[0]![0] as SeriesResult;
    expect(r.series).toMatchObject({ description: 'T1 AX', modality: 'MR', slices: 6, number: 3 });
    expect(r.study).toEqual({ description: 'MR HEAD', date: '20240229' });
    expect(r.verdict.keySlices).toEqual([2, 4, 3]);
    expect(r.keySlices.map((k) => [k.index, k.position])).toEqual([[2, 10], [4, 20], [3, 15]]);
    expect(Math.max(...Array.from(r.keySlices[2]!.heatmap!.values))).toBeCloseTo(0.03, 5); // weighted by P(tumour)
    expect(r.slices.map((s) => s.counted)).toEqual([true, true, true, true, true, false]);
    expect(r.seriesInstanceUidSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify({ ...r, patient: undefined })).not.toMatch(/DOE|PID-12345|2\.25\.20/);
  });

  it('a series with no slice in the validated use is "Outside validated use", with the reasons, and no key slice', async () => {
    const c = controlledEngine();
    const { choose } = setup(c.engine);
    choose();
    await screen.findByRole('region', { name: 'Studies' });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T2 SAG' }));
    for (let i = 0; i < 3; i++) {
      c.answer(i, { ...fakeResult(), result: 'Outside validated use', label: null, probabilities: null, tumorProbability: null, uncertain: false, outside: ['sagittal', 'T2'] } as unknown as AnalysisResult);
    }
    await act(async () => c.runs[0]!.finish(false));
    const verdict = screen.getByRole('article', { name: 'Series verdict' });
    expect(within(verdict).getByTestId('series-result').textContent).toBe('Outside validated use');
    expect(verdict.textContent).toContain('0 of 3 slices counted. Not counted: sagittal (3), T2 (3).');
    expect(verdict.textContent).toContain('no diagnosis is given');
    expect(within(verdict).queryAllByRole('listitem')).toHaveLength(0);
    expect(screen.getByTestId('slice-answer').textContent).toBe('Outside validated use: sagittal, T2 (not counted)');
  });
});

describe('series: the series-level scope', () => {
  it('applies the shared series rules again (as the CLI does): the outer slices of a 12-slice series do not count even if the worker diagnosed them', async () => {
    const files = Array.from({ length: 12 }, (_, i) => new File([new Uint8Array(4)], `IM${i}`));
    const answers: HeaderAnswer[] = files.map((_, i) => ({ index: i, ok: true, header: header({ sopInstanceUid: `2.25.6${i}`, imagePosition: [0, 0, 5 * i], instanceNumber: i + 1 }) }));
    const c = controlledEngine();
    render(<SeriesPanel engine={c.engine} readHeaders={headerReader(files, answers)} deviceUnavailable={null} flushMs={0} />);
    fireEvent.change(screen.getByLabelText('DICOM files of a series'), { target: { files } });
    await screen.findByRole('region', { name: 'Studies' });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
    for (let i = 0; i < 12; i++) c.answer(i, fakeResult({ tumorProbability: 0.1, result: 'No Tumor', label: 'notumor', view: view(i) }));
    await act(async () => c.runs[0]!.finish(false));
    const verdict = screen.getByRole('article', { name: 'Series verdict' });
    // the card's edge rule: |2i/11 − 1| over SCOPE.maxPosition (0.8 today: i = 0, 1, 10, 11)
    const edge = Array.from({ length: 12 }, (_, i) => Math.abs((2 * i) / 11 - 1)).filter((p) => p > SCOPE.maxPosition).length;
    expect(edge).toBeGreaterThan(0);
    expect(verdict.textContent).toContain(`${12 - edge} of 12 slices counted. Not counted: edge of the head (${edge}).`);
    fireEvent.keyDown(screen.getByRole('group', { name: 'Slice viewer' }), { key: 'Home' });
    expect(screen.getByTestId('slice-answer').textContent).toBe('Outside validated use: edge of the head (not counted)');
    expect(document.querySelectorAll('.series-chart rect[data-outside]')).toHaveLength(edge);
  });
});

describe('series: the viewer', () => {
  async function analysed() {
    const c = controlledEngine();
    const { choose } = setup(c.engine);
    choose();
    await screen.findByRole('region', { name: 'Studies' });
    fireEvent.click(screen.getByRole('button', { name: 'Analyse series T1 AX' }));
    [0.01, 0.02, 0.03, 0.04, 0.05, 0.9999].forEach((p, i) => c.answer(i, fakeResult({ tumorProbability: p, result: p > 0.5 ? 'Tumor' : 'No Tumor', label: p > 0.5 ? 'glioma' : 'notumor', view: view(100 * i) })));
    await act(async () => c.runs[0]!.finish(false));
    return screen.getByRole('group', { name: 'Slice viewer' });
  }
  const at = () => screen.getByText(/^Slice \d of 6$/).textContent;
  const slider = () => screen.getByRole('slider', { name: 'Slice' }) as HTMLInputElement;

  it('arrow keys, Page / Home / End, the buttons and the slider change the slice, and its own answer follows', async () => {
    const viewer = await analysed();
    expect(at()).toBe('Slice 6 of 6'); // the key slice
    fireEvent.keyDown(viewer, { key: 'ArrowUp' });
    expect(at()).toBe('Slice 5 of 6');
    expect(slider().value).toBe('5');
    expect(screen.getByTestId('slice-answer').textContent).toBe('No Tumor · P(tumour) 5.0 %');
    fireEvent.keyDown(viewer, { key: 'ArrowLeft' });
    expect(at()).toBe('Slice 4 of 6');
    fireEvent.keyDown(viewer, { key: 'Home' });
    expect(at()).toBe('Slice 1 of 6');
    fireEvent.keyDown(viewer, { key: 'ArrowUp' }); // stays at the first
    expect(at()).toBe('Slice 1 of 6');
    fireEvent.keyDown(viewer, { key: 'ArrowDown' });
    expect(at()).toBe('Slice 2 of 6');
    fireEvent.keyDown(viewer, { key: 'PageDown' });
    expect(at()).toBe('Slice 6 of 6');
    fireEvent.change(slider(), { target: { value: '3' } });
    expect(at()).toBe('Slice 3 of 6');
    expect(screen.getByText('10.0 mm', { exact: false })).toBeTruthy();
    // keys on the slider are the slider's own (no double step)
    fireEvent.keyDown(slider(), { key: 'ArrowDown' });
    expect(at()).toBe('Slice 3 of 6');
    fireEvent.click(screen.getByRole('button', { name: 'Next slice' }));
    expect(at()).toBe('Slice 4 of 6');
    fireEvent.click(screen.getByRole('button', { name: 'Previous slice' }));
    expect(at()).toBe('Slice 3 of 6');
    // the wheel scrolls too
    fireEvent.wheel(document.querySelector('.viewer-stage')!, { deltaY: 100 });
    expect(at()).toBe('Slice 4 of 6');
  });

  it('window presets, zoom keys and Reset; it says the window does not change what the model saw', async () => {
    const viewer = await analysed();
    const canvas = () => screen.getByRole('img', { name: /^Slice \d of 6/ });
    expect(canvas().getAttribute('data-window')).toBe('500/1000');
    expect(screen.getByText(/centre 500, width 1000 \(as read\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'High contrast' }));
    expect(canvas().getAttribute('data-window')).toBe('500/500');
    expect(screen.getByText(/\(yours\)/)).toBeTruthy();
    fireEvent.keyDown(viewer, { key: '+' });
    expect(canvas().getAttribute('data-zoom')).toBe('1.25');
    fireEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(Number(canvas().getAttribute('data-zoom'))).toBeCloseTo(1.5625, 2);
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(canvas().getAttribute('data-window')).toBe('500/1000');
    expect(canvas().getAttribute('data-zoom')).toBe('1.00');
    expect(screen.getByText(/The display window changes only what you see here: each slice was analysed as read from its file/)).toBeTruthy();
    expect(screen.getByRole('slider', { name: 'Heat map opacity' })).toBeTruthy();
    expect(screen.getByRole('figure', { name: 'Heat map colour scale' }).textContent).toContain('evidence × P(tumour)');
  });
});

// @vitest-environment jsdom
// History keeps series entries: the Series Instance UID's hash, description, slice count, verdict and model
// version — and nothing that names the patient or the study (name, ID, dates, study description, UIDs, images).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryPanel, MemoryHistoryStore, SIGNED_OUT, needsSync, seriesToRecord, useHistory } from '../../web/features/history/index.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { FAKE_SERIES_UID, FAKE_STUDY_DESCRIPTION, fakeSeries } from './series-fixture.ts';

afterEach(cleanup);

/** Every way the fixture's identity could show up in a stored record. */
function expectNoPatientData(stored: unknown) {
  const text = JSON.stringify(stored);
  for (const s of ['DOE', 'JANE', FAKE_PATIENT.patientId, FAKE_PATIENT.studyDate, '2024-02-29', FAKE_PATIENT.birthDate, FAKE_PATIENT.institution, FAKE_PATIENT.accession, FAKE_STUDY_DESCRIPTION, FAKE_SERIES_UID, '2.25.'])
    expect(text, s).not.toContain(s);
  expect(text).not.toMatch(/patient|study|image|heatmap|"data"|values|position/i);
}

describe('history: series entries', () => {
  it('a series record holds the UID hash, description, slice count, verdict and model version, and no patient data', () => {
    const r = seriesToRecord(fakeSeries(), 'alice', 'id-1', new Date('2026-12-01T10:00:00Z'));
    expect(r).toMatchObject({
      id: 'id-1', account: 'alice', result: 'Tumor', label: 'glioma', tumorProbability: 0.83, uncertain: false, backend: 'WASM',
      fileName: `Series · ${FAKE_PATIENT.seriesDescription} · 24 slices`,
      series: { seriesInstanceUidSha256: 'c'.repeat(64), description: FAKE_PATIENT.seriesDescription, modality: 'MR', slices: 24 },
    });
    expect(r.model).toEqual({ name: fakeSeries().model.name, version: fakeSeries().model.version });
    expect(r.series?.keySlices).toEqual(fakeSeries().verdict.keySlices);
    expectNoPatientData(r);
    // A device series is not uploaded as a single detection (the server keeps its own series row).
    expect(needsSync(r)).toBe(false);
  });

  it('useHistory().addSeries stores it in the account\'s history, the panel lists it as a series; the store holds no patient data', async () => {
    const store = new MemoryHistoryStore();
    function Harness() {
      const h = useHistory(store, null, false);
      return (
        <>
          <button type="button" onClick={() => void h.addSeries(fakeSeries())}>save series</button>
          <p>{h.saveError ?? 'no save error'}</p>
        </>
      );
    }
    render(
      <QueryClientProvider client={new QueryClient()}>
        <Harness />
      </QueryClientProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'save series' }));
    await waitFor(async () => expect(await store.list(SIGNED_OUT)).toHaveLength(1));
    const rows = await store.list(SIGNED_OUT);
    expect(rows[0]!.series?.slices).toBe(24);
    expectNoPatientData(rows);
    expect(screen.getByText('no save error')).toBeTruthy();
    cleanup();
    // As the panel lists it.
    render(<HistoryPanel records={rows} signedOutRecords={[]} pending={0} signedIn={false} online={false} syncError={null} onAdopt={() => {}} onClear={() => {}} />);
    const item = screen.getByRole('listitem');
    expect(item.dataset.kind).toBe('series');
    expect(item.textContent).toContain(`Series · ${FAKE_PATIENT.seriesDescription} · 24 slices`);
    expect(item.textContent).toContain('P(tumour) 83 %');
    expect(document.body.textContent).not.toMatch(/DOE|PID-12345/);
  });

  it('an "Outside validated use" series has no P(tumour) in history', () => {
    const r = seriesToRecord(
      fakeSeries({ verdict: { result: 'Outside validated use', tumorProbability: null, label: null, uncertain: false, keySlices: [], outside: ['sagittal'] } }),
      'alice',
    );
    expect(r.tumorProbability).toBeNull();
    expect(r.series?.keySlices).toEqual([]);
    expectNoPatientData(r);
  });
});

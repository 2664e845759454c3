// @vitest-environment jsdom
// "Send result to PACS" (web/features/pacs SendResult) with a stubbed client (tests/api/dicomweb-sr.test.ts and
// tests/e2e/pacs.e2e.test.ts store into a real Orthanc): nothing is sent without the user's click and confirmation;
// the confirmation lists what the SR holds; sending → sent with the new Series Instance UID; the PACS down → the
// pacs_unavailable message and Retry with the same file (same UIDs); offline → no send. The STOW answer check, and the
// real client's STOW against a loopback server: Accept: application/dicom+json sent, a 202 or an unreadable answer a failure.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASIC_TEXT_SR, RESEARCH_NOTE, type SrEvidence, type SrFindings } from '../../models/core/dicom/index.ts';
import { parseDicom } from '../../models/core/dicom/parse.ts';
import { SendResult, type PacsClient } from '../../web/features/pacs/index.ts';
import { checkStowAnswer, createPacsClient } from '../../web/features/pacs/client.ts';

afterEach(cleanup);

const STUDY = '2.25.1234500001';
const SERIES = '2.25.1234500002';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const evidence: SrEvidence = {
  patientStudy: {
    specificCharacterSet: '', patientName: 'DOE^JANE', patientId: 'PID-1', patientBirthDate: '19700101', patientSex: 'F', studyInstanceUid: STUDY,
    studyDate: '20240229', studyTime: '', studyId: '', accessionNumber: 'ACC1', referringPhysicianName: '', studyDescription: 'MR HEAD',
  },
  seriesInstanceUid: SERIES,
  seriesDescription: 'T1 AX',
  instances: [1, 2, 3].map((k) => ({ sopClassUid: MR, sopInstanceUid: `${SERIES}.${k}`, instanceNumber: k })),
};
const findings: SrFindings = {
  verdict: 'Uncertain', tumorProbability: 0.52, label: 'meningioma', uncertain: true, counted: 3, slices: 3, notCounted: [], complete: true,
  keySlices: [{ sopClassUid: MR, sopInstanceUid: `${SERIES}.2`, instanceNumber: 2, frame: null, tumorProbability: 0.6 }],
  model: { name: 'bigbrain-test', version: '4.5.6' },
};

function stub(store: PacsClient['storeInstances']): PacsClient {
  return { searchStudies: vi.fn(), searchSeries: vi.fn(), retrieveSeries: vi.fn(), storeInstances: vi.fn(store) };
}

/** A promise the test settles. */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const group = () => screen.getByRole('group', { name: 'Send result to PACS' });

describe('Send result to PACS', () => {
  it('only on an explicit click and a confirmation that lists what is sent; Cancel sends nothing', () => {
    const client = stub(async () => {});
    render(<SendResult client={client} online source={{ evidence, findings }} />);
    const button = within(group()).getByRole('button', { name: 'Send result to PACS' });
    expect(client.storeInstances).not.toHaveBeenCalled();
    fireEvent.click(button);
    const confirm = screen.getByRole('group', { name: 'Confirm sending to the PACS' });
    expect(confirm.textContent).toContain('a new series, “BigBrain triage (research)”, in this study');
    expect(confirm.textContent).toContain('DICOM Basic Text SR');
    expect(confirm.textContent).toContain('patient’s name and ID');
    const lines = within(screen.getByTestId('pacs-send-lines')).getAllByRole('listitem').map((li) => li.textContent);
    expect(lines).toContain(`Research and triage notice: ${RESEARCH_NOTE}`);
    expect(lines).toContain('Triage verdict: Uncertain');
    expect(lines).toContain('Series P(tumour): 0.5200 (52.0 %)');
    expect(lines).toContain('Algorithm Version: 4.5.6');
    expect(lines.some((l) => l?.includes(`SOP Instance UID ${SERIES}.2`))).toBe(true);
    expect(client.storeInstances).not.toHaveBeenCalled();
    fireEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('group', { name: 'Confirm sending to the PACS' })).toBeNull();
    expect(within(group()).getByRole('button', { name: 'Send result to PACS' })).toBeTruthy();
    expect(client.storeInstances).not.toHaveBeenCalled();
  });

  it('Send to PACS → sending → sent, showing the new series UID; the file stored is the SR into the analysed study', async () => {
    const d = deferred();
    const client = stub(() => d.promise);
    render(<SendResult client={client} online source={{ evidence, findings }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Send result to PACS' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send to PACS' }));
    expect(within(group()).getByRole('status').textContent).toBe('Sending the result to the PACS…');
    expect(client.storeInstances).toHaveBeenCalledTimes(1);
    const [study, files] = vi.mocked(client.storeInstances).mock.calls[0]!;
    expect(study).toBe(STUDY);
    expect(files).toHaveLength(1);
    const sr = parseDicom(files[0]!);
    expect(sr.meta.sopClassUid).toBe(BASIC_TEXT_SR);
    expect(sr.meta.studyInstanceUid).toBe(STUDY);
    expect(sr.meta.seriesInstanceUid).not.toBe(SERIES);
    await act(async () => d.resolve());
    const sent = screen.getByTestId('pacs-sent');
    expect(screen.getByTestId('pacs-sent-series').textContent).toBe(sr.meta.seriesInstanceUid);
    expect(sent.textContent).toContain('Orthanc shows it under the study');
    expect(screen.queryByRole('button', { name: 'Send result to PACS' })).toBeNull(); // sent once
  });

  it('the PACS down → the pacs_unavailable message; Retry sends the same file (same UIDs) and then succeeds', async () => {
    let calls = 0;
    const client = stub(async () => {
      if (++calls === 1) throw Object.assign(new Error('request failed'), { status: 502, response: JSON.stringify({ error: 'The PACS cannot be reached; try again shortly.', code: 'pacs_unavailable' }) });
    });
    render(<SendResult client={client} online source={{ evidence, findings }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Send result to PACS' }));
    await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Send to PACS' })); });
    expect(screen.getByRole('alert').textContent).toBe('Not sent: The PACS is not answering (the server could not reach it). Try again when it is back.');
    await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Retry sending to PACS' })); });
    expect(client.storeInstances).toHaveBeenCalledTimes(2);
    const [a, b] = vi.mocked(client.storeInstances).mock.calls.map((c) => c[1][0]!);
    expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('pacs-sent-series').textContent).toBe(parseDicom(a!).meta.seriesInstanceUid);
  });

  it('a refusal in the STOW answer, the server unreachable and signed out are said as such', async () => {
    const errors: unknown[] = [
      Object.assign(new Error('it refused 1 of 1 instances'), { status: 409, refused: true }),
      Object.assign(new Error('request failed'), { status: 0 }),
      Object.assign(new Error('request failed'), { status: 401 }),
    ];
    const texts: string[] = [];
    for (const err of errors) {
      const client = stub(async () => { throw err; });
      render(<SendResult client={client} online source={{ evidence, findings }} />);
      fireEvent.click(screen.getByRole('button', { name: 'Send result to PACS' }));
      await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Send to PACS' })); });
      texts.push(screen.getByRole('alert').textContent ?? '');
      cleanup();
    }
    expect(texts).toEqual([
      'Not sent: The PACS did not store the result: it refused 1 of 1 instances.',
      'Not sent: The server cannot be reached (offline?). Try again when it is back.',
      'Not sent: Sign in again to reach the PACS.',
    ]);
  });

  it('offline: the button is disabled and says why', () => {
    const client = stub(async () => {});
    render(<SendResult client={client} online={false} source={{ evidence, findings }} />);
    const button = screen.getByRole('button', { name: 'Send result to PACS' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(group().textContent).toContain('Offline: the PACS cannot be reached.');
  });
});

describe('the STOW-RS answer check', () => {
  const ok = { '00081198': { vr: 'SQ' }, '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.1'] } }] } };

  it('every instance listed as stored, none failed: fine, as text, as JSON or as an ArrayBuffer', () => {
    expect(() => checkStowAnswer(JSON.stringify(ok), 1)).not.toThrow();
    expect(() => checkStowAnswer(ok, 1)).not.toThrow();
    expect(() => checkStowAnswer([ok], 1, 200)).not.toThrow();
    expect(() => checkStowAnswer(new TextEncoder().encode(JSON.stringify(ok)).buffer, 1)).not.toThrow();
  });

  it('a Failed SOP Sequence, fewer stored than sent, a 202, or an answer that cannot be read: a refusal', () => {
    const failed = { '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [0xa700] } }] } };
    expect(() => checkStowAnswer(JSON.stringify(failed), 1)).toThrow(/refused 1 of 1/);
    expect(() => checkStowAnswer(failed, 1)).toThrow(expect.objectContaining({ status: 409, refused: true }));
    expect(() => checkStowAnswer(JSON.stringify(ok), 2)).toThrow(/refused 1 of 2/);
    expect(() => checkStowAnswer({}, 1)).toThrow(/refused 1 of 1/); // nothing listed as stored
    expect(() => checkStowAnswer(JSON.stringify(ok), 1, 202)).toThrow(expect.objectContaining({ message: expect.stringMatching(/202 Accepted/), refused: true }));
    for (const unreadable of ['', '<NativeDicomModel/>', 'OK', '[]', '"stored"', null, undefined, 42]) {
      expect(() => checkStowAnswer(unreadable, 1), String(unreadable)).toThrow(expect.objectContaining({ message: expect.stringMatching(/could not be read/), refused: true }));
    }
  });
});

describe('the real client: STOW-RS against a loopback server', () => {
  it('asks for DICOM JSON; a confirmed answer resolves; a 202, an empty or non-JSON answer rejects as a refusal', async () => {
    const seen: IncomingHttpHeaders[] = [];
    let answer: { status: number; body: string } = { status: 200, body: '' };
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*' };
    const server = createServer((req, res) => {
      if (req.method === 'OPTIONS') { res.writeHead(204, cors); res.end(); return; }
      seen.push(req.headers);
      req.resume();
      req.on('end', () => { res.writeHead(answer.status, { ...cors, 'content-type': 'application/dicom+json' }); res.end(answer.body); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const client = createPacsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/dicomweb`);
      const stored = JSON.stringify({ '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.9'] } }] } });
      answer = { status: 200, body: stored };
      await expect(client.storeInstances(STUDY, [new Uint8Array(8)])).resolves.toBeUndefined();
      expect(seen[0]!.accept).toBe('application/dicom+json');
      expect(seen[0]!['content-type']).toMatch(/^multipart\/related; type="application\/dicom"/);
      for (const [status, body, why] of [[202, stored, /202 Accepted/], [200, '', /could not be read/], [200, '<NativeDicomModel/>', /could not be read/]] as const) {
        answer = { status, body };
        await expect(client.storeInstances(STUDY, [new Uint8Array(8)]), `${status} ${body}`).rejects.toMatchObject({ refused: true, message: expect.stringMatching(why) });
      }
      expect(seen.map((h) => h.accept)).toEqual(Array(4).fill('application/dicom+json'));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

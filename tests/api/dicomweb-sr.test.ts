// "Send result to PACS" (issue 14) through the gateway, against a real Orthanc (tests/support/orthanc.ts): the result
// SR built from the headers of the series Orthanc holds (models/core/dicom/result-sr.ts) is stored by STOW-RS through
// /api/dicomweb into that study; Orthanc's answer lists it stored (the PWA client's check accepts it); QIDO-RS then
// finds a series of Modality SR in the same study; Orthanc's own REST API files it under the same patient and study,
// with the SR's tags; the STOW is audited (study UID hash, model version, no patient data). The PACS stopped → 502
// pacs_unavailable and nothing stored; after a restart the same file goes through once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/config.ts';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { studyUidHash } from '../../api/dicomweb/audit.ts';
import { BASIC_TEXT_SR, buildResultSr, patientStudyOf, SR_SERIES_DESCRIPTION, type ResultSr } from '../../models/core/dicom/index.ts';
import { parseDicom } from '../../models/core/dicom/parse.ts';
import { MODEL_INFO, MODEL_SHA256 } from '../../models/core/model.ts';
import { checkStowAnswer } from '../../web/features/pacs/client.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { seriesFiles, type WrittenSlice } from '../support/series-fixtures.ts';
import { available } from '../support/skip.ts';
import { makeApp, signUp, testConfig, type TestApp } from './helpers.ts';

const STUDY = '2.25.8123456789100077';
const SERIES = '2.25.8123456789200077';
const SLICES = 4;

type Dataset = Record<string, { vr: string; Value?: unknown[] }>;
const tag = (d: Dataset, t: string) => d[t]?.Value?.[0];

const grey = (k: number) => {
  const size = 64;
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (i * (k + 3) + k * 11) & 0xff;
  return { data, width: size, height: size };
};

/** A STOW-RS body as dicomweb-client writes it: one application/dicom part a file. */
function stowBody(files: Uint8Array[], boundary = 'bigbrain-sr-boundary') {
  const chunks: Buffer[] = [];
  for (const f of files) chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), Buffer.from(f), Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/related; type="application/dicom"; boundary="${boundary}"` };
}

describe.runIf(available(hasOrthanc, 'Orthanc with the DICOMweb plugin (apt-get install orthanc orthanc-dicomweb)'))('Send result to PACS: the result SR through the gateway into a real Orthanc', () => {
  let orthanc: Orthanc;
  let db: Db;
  let app: TestApp;
  let token: string;
  let userId: string;
  let slices: WrittenSlice[];
  let sr: ResultSr;
  const auth = () => ({ 'auth-token': token });
  const orthancGet = async <T,>(path: string) => {
    const res = await fetch(`${orthanc.url}${path}`, { headers: { authorization: orthanc.auth } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const stow = (bytes: Uint8Array) => {
    const { body, contentType } = stowBody([bytes]);
    return app.request(`/api/dicomweb/studies/${STUDY}`, { method: 'POST', headers: { ...auth(), 'content-type': contentType, accept: 'application/dicom+json' }, body });
  };

  beforeAll(async () => {
    orthanc = await startOrthanc();
    slices = seriesFiles({ studyUid: STUDY, seriesUid: SERIES, description: 'T1 AX PACS', seriesNumber: 4, slices: Array.from({ length: SLICES }, (_, k) => ({ grey: grey(k), tumour: false })) });
    for (const s of slices) await orthanc.upload(s.bytes);
    db = await openPglite();
    await migrate(db);
    const dicomweb = loadConfig({ BIGBRAIN_DATA_DIR: '/nonexistent', BIGBRAIN_DIST_DIR: '/nonexistent-dist', DICOMWEB_URL: orthanc.dicomweb, DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD, DICOMWEB_TIMEOUT_MS: '5000' }).dicomweb;
    app = makeApp(db, { config: testConfig({ dicomweb }) });
    ({ token } = await signUp(app));
    userId = ((await (await app.request('/api/me', { headers: auth() })).json()) as { id: string }).id;
    // The SR as the PWA makes it: from the series' own headers (the files Orthanc serves are the uploaded ones).
    const parsed = slices.map((s) => parseDicom(s.bytes));
    sr = buildResultSr({
      evidence: {
        patientStudy: patientStudyOf(parsed[0]!.dataSet), seriesInstanceUid: SERIES, seriesDescription: 'T1 AX PACS',
        instances: parsed.map((p) => ({ sopClassUid: p.meta.sopClassUid, sopInstanceUid: p.meta.sopInstanceUid, instanceNumber: p.meta.instanceNumber })),
      },
      findings: {
        verdict: 'No Tumor', tumorProbability: 0.0421, label: 'notumor', uncertain: false, counted: SLICES, slices: SLICES, notCounted: [], complete: true,
        keySlices: [parsed[1]!, parsed[2]!].map((p) => ({ sopClassUid: p.meta.sopClassUid, sopInstanceUid: p.meta.sopInstanceUid, instanceNumber: p.meta.instanceNumber, frame: null, tumorProbability: 0.05 })),
        model: { name: MODEL_INFO.name, version: MODEL_INFO.version, sha256: MODEL_SHA256 },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await orthanc?.dispose();
    await db?.close();
  });

  it('the PACS down: STOW-RS → 502 pacs_unavailable, nothing audited; after a restart the same SR is stored once', async () => {
    await orthanc.stop();
    const down = await stow(sr.bytes);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { code: string }).code).toBe('pacs_unavailable');
    expect(await db.query('select * from dicomweb_audit where action = $1', ['store'])).toEqual([]);
    await orthanc.start();
    expect(await orthancGet<string[]>('/series')).toHaveLength(1); // only the MR series: nothing half-saved

    const res = await stow(sr.bytes);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const answer = JSON.parse(text) as Dataset;
    expect(answer['00081198']?.Value ?? []).toEqual([]); // an empty Failed SOP Sequence
    const stored = (answer['00081199']?.Value ?? []) as Dataset[];
    expect(stored.map((d) => [tag(d, '00081150'), tag(d, '00081155')])).toEqual([[BASIC_TEXT_SR, sr.sopInstanceUid]]);
    expect(() => checkStowAnswer(text, 1)).not.toThrow(); // the PWA client reads Orthanc's answer as stored
  });

  it('QIDO-RS finds a series of Modality SR in the same study: the new Series Instance UID, "BigBrain triage (research)", one instance', async () => {
    const series = (await (await app.request(`/api/dicomweb/studies/${STUDY}/series?includefield=00201209`, { headers: auth() })).json()) as Dataset[];
    expect(series.map((s) => tag(s, '0020000E')).sort()).toEqual([SERIES, sr.seriesInstanceUid].sort());
    const srOnly = (await (await app.request(`/api/dicomweb/studies/${STUDY}/series?Modality=SR&includefield=00201209`, { headers: auth() })).json()) as Dataset[];
    expect(srOnly).toHaveLength(1);
    expect(tag(srOnly[0]!, '0020000E')).toBe(sr.seriesInstanceUid);
    expect(tag(srOnly[0]!, '00080060')).toBe('SR');
    expect(tag(srOnly[0]!, '0008103E')).toBe(SR_SERIES_DESCRIPTION);
    expect(Number(tag(srOnly[0]!, '00201209'))).toBe(1);
    // Still one study for the patient, now with MR and SR in it.
    const studies = (await (await app.request(`/api/dicomweb/studies?PatientID=${FAKE_PATIENT.patientId}&includefield=00080061`, { headers: auth() })).json()) as Dataset[];
    expect(studies.map((s) => tag(s, '0020000D'))).toEqual([STUDY]);
    expect(studies[0]!['00080061']?.Value).toEqual(expect.arrayContaining(['MR', 'SR']));
    const instances = (await (await app.request(`/api/dicomweb/studies/${STUDY}/series/${sr.seriesInstanceUid}/instances`, { headers: auth() })).json()) as Dataset[];
    expect(instances.map((i) => [tag(i, '00080016'), tag(i, '00080018')])).toEqual([[BASIC_TEXT_SR, sr.sopInstanceUid]]);
  });

  it('Orthanc’s REST API shows it under the same patient and study, with the SR’s tags and the file byte for byte', async () => {
    const [found] = await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', headers: { authorization: orthanc.auth }, body: sr.sopInstanceUid })).json() as Array<{ ID: string; Type: string }>;
    expect(found!.Type).toBe('Instance');
    const instance = await orthancGet<{ ParentSeries: string }>(`/instances/${found!.ID}`);
    const series = await orthancGet<{ ParentStudy: string; MainDicomTags: Record<string, string> }>(`/series/${instance.ParentSeries}`);
    expect(series.MainDicomTags).toMatchObject({ Modality: 'SR', SeriesInstanceUID: sr.seriesInstanceUid, SeriesDescription: SR_SERIES_DESCRIPTION, Manufacturer: 'BigBrain' });
    const studies = await orthancGet<string[]>('/studies');
    expect(studies).toEqual([series.ParentStudy]); // filed in the analysed study, not a new one
    const study = await orthancGet<{ Series: string[]; MainDicomTags: Record<string, string>; PatientMainDicomTags: Record<string, string> }>(`/studies/${series.ParentStudy}`);
    expect(study.MainDicomTags.StudyInstanceUID).toBe(STUDY);
    expect(study.PatientMainDicomTags).toMatchObject({ PatientID: FAKE_PATIENT.patientId, PatientName: FAKE_PATIENT.patientName });
    expect(study.Series).toHaveLength(2);
    expect(await orthancGet<string[]>('/patients')).toHaveLength(1);
    const tags = await orthancGet<Record<string, string>>(`/instances/${found!.ID}/simplified-tags`);
    expect(tags).toMatchObject({ SOPClassUID: BASIC_TEXT_SR, StudyInstanceUID: STUDY, CompletionFlag: 'COMPLETE', VerificationFlag: 'UNVERIFIED', SoftwareVersions: MODEL_INFO.version });
    const file = await fetch(`${orthanc.url}/instances/${found!.ID}/file`, { headers: { authorization: orthanc.auth } });
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(sr.bytes))).toBe(true);
  });

  it('the STOW is audited once: who, the study UID’s hash, the model version; no patient data, no UID', async () => {
    const rows = await db.query<Record<string, unknown>>('select * from dicomweb_audit where action = $1', ['store']);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.user_id).toBe(userId);
    expect(rows[0]!.study_uid_sha256).toBe(studyUidHash(STUDY));
    expect(rows[0]!.model_version).toBe(MODEL_INFO.version);
    const all = JSON.stringify(await db.query('select * from dicomweb_audit'));
    for (const v of [FAKE_PATIENT.patientName, FAKE_PATIENT.patientId, STUDY, SERIES, sr.seriesInstanceUid, sr.sopInstanceUid]) expect(all).not.toContain(v);
  });
});

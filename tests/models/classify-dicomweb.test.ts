// npm run classify -- --dicomweb against a real Orthanc (tests/support/orthanc.ts, basic auth on): three generated
// series in two studies (real MRI JPEGs from ../shared as the slices, a CT among them) uploaded to Orthanc and
// written to a folder; the lines over DICOMweb equal the lines for the folder (but `file` and `ms`), per file and per
// series; --study picks studies; no credentials, a closed port; Orthanc stopped mid-series (a relay holds the answer
// part way, then Orthanc is stopped) → one pacs_unavailable line, exit 1, nothing of that series; a rerun after the
// restart gives every line. An archive that answers an unknown --study with 404: its not_found line, the run goes on.
// BigBrain's own result SR in the archive (and a file without pixel data in an image series): skipped and counted,
// exit 0, the image lines as before. QIDO-RS paging (a fake archive that caps its pages): every study listed.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResultSr, patientStudyOf, type SrEvidence, type SrFindings } from '../../models/core/dicom/index.ts';
import { parseDicom } from '../../models/core/dicom/parse.ts';
import { dicomwebSource, listSeries, listStudies, retrieveSeries } from '../../models/node/dicomweb-pull.ts';
import { fixtureDir, sampleJpegs } from '../support/dicom-fixtures.ts';
import { freePort, hasOrthanc, ORTHANC_PASSWORD, ORTHANC_USER, startOrthanc, type Orthanc } from '../support/orthanc.ts';
import { pacsRelay, type PacsRelay } from '../support/pacs-relay.ts';
import { greyOf, seriesFiles, type WrittenSlice } from '../support/series-fixtures.ts';
import { available, hasData } from '../support/skip.ts';

const STUDY_A = '2.25.9100001';
const STUDY_B = '2.25.9200002';
const A_T1 = `${STUDY_A}.1`;
const A_CT = `${STUDY_A}.2`;
const B_T1 = `${STUDY_B}.1`;
const CREDS = { DICOMWEB_USER: ORTHANC_USER, DICOMWEB_PASSWORD: ORTHANC_PASSWORD };

type Line = Record<string, unknown>;
const lines = (out: string): Line[] => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
const cliArgs = (args: string[]) => ['tsx', 'models/scripts/classify.ts', ...args];
const cli = (args: string[], env: Record<string, string> = CREDS) =>
  spawnSync('npx', cliArgs(args), { encoding: 'utf8', env: { ...process.env, DICOMWEB_USER: '', DICOMWEB_PASSWORD: '', DICOMWEB_TOKEN: '', ...env } });
/** The same CLI, not waited for: stdout, stderr and the exit code when it ends. */
const cliAsync = (args: string[]) => new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
  const child = spawn('npx', cliArgs(args), { env: { ...process.env, DICOMWEB_TOKEN: '', ...CREDS } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('close', (status) => resolve({ stdout, stderr, status }));
});

/** A file's SOP Instance UID from its name: on disk the file is named by it; over DICOMweb the name ends with it. */
const sopOf = (file: unknown) => String(file).split('/').pop()!;
/** A line without what differs between the two sources. */
const same = (l: Line) => {
  const rest = { ...l };
  delete rest.file;
  delete rest.ms;
  const keys = rest.keySlices as Line[] | undefined;
  return { ...rest, ...(keys ? { keySlices: keys.map((k) => ({ ...k, file: sopOf(k.file) })) } : {}) };
};
const bySop = (ls: Line[]) => new Map(ls.map((l) => [`${sopOf(l.file)}#${String(l.frame ?? '')}`, same(l)]));

describe.runIf(available(hasOrthanc, 'Orthanc with the DICOMweb plugin (apt-get install orthanc orthanc-dicomweb)') && available(hasData, 'the MRI data folder (../shared/data)'))('npm run classify -- --dicomweb against a real Orthanc', () => {
  let orthanc: Orthanc;
  let relay: PacsRelay;
  let fx: { dir: string; remove: () => void };
  let written: WrittenSlice[] = [];
  let disk: Line[] = [];
  let diskSeries: Line[] = [];

  beforeAll(async () => {
    const jpegs = sampleJpegs(18);
    const greys = await Promise.all(jpegs.map((p) => greyOf(p)));
    const slices = (from: number, n: number) => greys.slice(from, from + n).map((grey) => ({ grey, tumour: false }));
    written = [
      // Study B's one series is small, study A's T1 large: a hold part way into the run lands inside A's T1.
      ...seriesFiles({ studyUid: STUDY_B, seriesUid: B_T1, description: 'T1 AX B', seriesNumber: 1, slices: slices(0, 3) }),
      ...seriesFiles({ studyUid: STUDY_A, seriesUid: A_T1, description: 'T1 AX A', seriesNumber: 1, slices: slices(3, 13) }),
      ...seriesFiles({ studyUid: STUDY_A, seriesUid: A_CT, description: 'CT HEAD', seriesNumber: 2, slices: slices(16, 2), modality: 'CT' }),
    ];
    fx = fixtureDir();
    orthanc = await startOrthanc();
    for (const w of written) {
      writeFileSync(join(fx.dir, `${w.seriesUid}.${w.instance}`), w.bytes);
      await orthanc.upload(w.bytes);
    }
    relay = await pacsRelay(orthanc.port);
    const perFile = cli([fx.dir]);
    expect(perFile.status, perFile.stderr).toBe(0);
    disk = lines(perFile.stdout);
    const perSeries = cli(['--series', '--slices', fx.dir]);
    expect(perSeries.status, perSeries.stderr).toBe(0);
    diskSeries = lines(perSeries.stdout);
  }, 240_000);
  afterAll(async () => {
    await relay?.close();
    await orthanc?.dispose();
    fx?.remove();
  });

  it('retrieves each series whole, as uploaded, each file named dicomweb:<study>/<series>/<SOP UID>', async () => {
    const src = dicomwebSource(orthanc.dicomweb, CREDS);
    expect((await listStudies(src)).sort()).toEqual([STUDY_A, STUDY_B]);
    const series = await listSeries(src, STUDY_A);
    expect(series.map((s) => [s.seriesUid, s.number, s.modality])).toEqual([[A_T1, 1, 'MR'], [A_CT, 2, 'CT']]);
    const got = await retrieveSeries(src, series[0]!);
    const want = written.filter((w) => w.seriesUid === A_T1);
    expect(got.map((g) => g.name).sort()).toEqual(want.map((w) => `dicomweb:${STUDY_A}/${A_T1}/${A_T1}.${w.instance}`).sort());
    for (const g of got) expect(Buffer.from(g.bytes).equals(Buffer.from(want.find((w) => g.name.endsWith(`/${A_T1}.${w.instance}`))!.bytes))).toBe(true);
  });

  it('prints the same line a file as for the files on disk (all studies when none is named)', () => {
    const r = cli(['--dicomweb', orthanc.dicomweb]);
    expect(r.status, r.stderr).toBe(0);
    const got = lines(r.stdout);
    expect(got).toHaveLength(written.length);
    expect(disk).toHaveLength(written.length);
    for (const l of got) expect(String(l.file)).toMatch(/^dicomweb:2\.25\.9[12]00\d+\/2\.25\.\d+\.\d+\/2\.25\.\d+\.\d+\.\d+$/);
    expect(bySop(got)).toEqual(bySop(disk));
    // The MR slices are answered (not refused), the CT refused as not an MRI, as on disk.
    expect(got.filter((l) => l.result === 'Tumor' || l.result === 'No Tumor' || l.result === 'Outside validated use').length).toBeGreaterThanOrEqual(10);
    expect(got.filter((l) => l.code === 'not_mri')).toHaveLength(2);
    // A series' lines together, files by SOP Instance UID.
    const seriesOrder = got.map((l) => String(l.file).split('/')[1]);
    expect([...new Set(seriesOrder)]).toHaveLength(3);
    expect(seriesOrder.filter((s, i) => i > 0 && s !== seriesOrder[i - 1])).toHaveLength(2);
    expect(r.stderr).toMatch(/3 series, 18 files pulled from/);
  }, 120_000);

  it('--series --slices: the same series and slice lines as for the folder', () => {
    const r = cli(['--dicomweb', orthanc.dicomweb, '--series', '--slices', '--study', STUDY_A, '--study', STUDY_B]);
    expect(r.status, r.stderr).toBe(0);
    const got = lines(r.stdout);
    // The folder run orders by study then series number; over DICOMweb studies come in the order named (A, B here).
    expect(got.map(same)).toEqual(diskSeries.map(same));
    const heads = got.filter((l) => typeof l.slices === 'number');
    expect(heads.map((l) => [l.seriesInstanceUID, l.slices])).toEqual([[A_T1, 13], [A_CT, 2], [B_T1, 3]]);
    for (const l of got.filter((l) => 'index' in l)) expect(String(l.file)).toMatch(/^dicomweb:/);
  }, 120_000);

  it('--study picks the named studies only; an unknown one is a not_found line and exit 1', () => {
    const r = cli(['--dicomweb', orthanc.dicomweb, '--series', '--study', STUDY_B]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => l.seriesInstanceUID)).toEqual([B_T1]);
    const unknown = cli(['--dicomweb', orthanc.dicomweb, '--series', '--study', '2.25.1', '--study', STUDY_B]);
    expect(unknown.status).toBe(1);
    expect(lines(unknown.stdout)).toEqual([{ file: 'dicomweb:2.25.1', error: expect.stringMatching(/no such study/i), code: 'not_found' }, expect.objectContaining({ seriesInstanceUID: B_T1 })]);
    expect(cli(['--dicomweb', orthanc.dicomweb, '--study', '../x']).status).toBe(2);
  }, 120_000);

  it('without the credentials, at a root that is not DICOMweb, or with the PACS unreachable: one clear JSON line, exit 1', async () => {
    const refused = cli(['--dicomweb', orthanc.dicomweb], {});
    expect(refused.status).toBe(1);
    expect(lines(refused.stdout)).toEqual([{ dicomweb: orthanc.dicomweb, error: expect.stringMatching(/refused.*401.*DICOMWEB_USER/), code: 'pacs_refused' }]);
    // Orthanc's own REST root, not its DICOMweb root: it refuses the QIDO-RS query.
    const rest = cli(['--dicomweb', orthanc.url]);
    expect(rest.status).toBe(1);
    expect(lines(rest.stdout)).toEqual([{ dicomweb: orthanc.url, error: expect.stringMatching(/refused GET studies\?.*: 400/), code: 'pacs_refused' }]);
    // A login page where the DICOMweb root should be (200, HTML).
    const page = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>Sign in</html>'); });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
    try {
      const at = `http://127.0.0.1:${(page.address() as AddressInfo).port}/dicom-web`;
      const html = await cliAsync(['--dicomweb', at]);
      expect(html.status).toBe(1);
      expect(lines(html.stdout)).toEqual([{ dicomweb: at, error: expect.stringMatching(/other than DICOM JSON \(is it the DICOMweb root\?\)/), code: 'pacs_refused' }]);
    } finally {
      await new Promise((r) => page.close(r));
    }
    const root = `http://127.0.0.1:${await freePort()}/dicom-web`;
    const down = cli(['--dicomweb', root]);
    expect(down.status).toBe(1);
    expect(lines(down.stdout)).toEqual([{ dicomweb: root, error: expect.stringMatching(/unreachable/), code: 'pacs_unavailable' }]);
  }, 60_000);

  it('Orthanc stopped mid-series: the series before it printed whole, then one pacs_unavailable line, nothing of that series, exit 1; the rerun after the restart gives every line', async () => {
    const root = `${relay.url}/dicom-web`;
    // Past study B's 3 slices (≈ 200 KB with the searches), inside study A's 13-slice T1 (≈ 860 KB).
    const held = relay.holdAfter(450_000);
    const run = cliAsync(['--dicomweb', root, '--series', '--slices', '--study', STUDY_B, '--study', STUDY_A]);
    await held;
    await orthanc.stop();
    const r = await run;
    expect(r.status, r.stderr).toBe(1);
    const got = lines(r.stdout);
    const bLines = diskSeries.filter((l) => l.seriesInstanceUID === B_T1);
    expect(got.slice(0, -1).map(same)).toEqual(bLines.map(same));
    expect(got.at(-1)).toEqual({ dicomweb: root, study: STUDY_A, series: A_T1, error: expect.stringMatching(/stopped while sending series .*nothing of it was used/), code: 'pacs_unavailable' });
    expect(r.stdout).not.toContain(`"seriesInstanceUID":"${A_T1}"`);
    expect(r.stdout).not.toContain(`/${A_T1}/`);
    expect(r.stdout.endsWith('\n')).toBe(true);

    // Per file too, cut by the relay itself: the files of the series cut short are not printed.
    await orthanc.start();
    const heldAgain = relay.holdAfter(450_000);
    const perFile = cliAsync(['--dicomweb', root, '--study', STUDY_B, '--study', STUDY_A]);
    await heldAgain;
    relay.cut();
    const p = await perFile;
    expect(p.status).toBe(1);
    const pl = lines(p.stdout);
    expect(pl.slice(0, -1).map((l) => String(l.file).split('/')[1])).toEqual([B_T1, B_T1, B_T1]);
    expect(pl.at(-1)).toMatchObject({ series: A_T1, code: 'pacs_unavailable' });

    relay.plain();
    // Not spawnSync: the relay runs in this process.
    const again = await cliAsync(['--dicomweb', root, '--series', '--slices', '--study', STUDY_A, '--study', STUDY_B]);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(lines(again.stdout).map(same)).toEqual(diskSeries.map(same));
  }, 180_000);

  it('an archive that answers an unknown --study with 404: its not_found line, then the other studies as before; exit 1', async () => {
    // In front of Orthanc (which answers an unknown study with an empty list), one that answers it 404 as others do.
    const proxy = createServer((req, res) => {
      if ((req.url ?? '').startsWith('/dicom-web/studies/2.25.1/series')) { res.writeHead(404, { 'content-type': 'application/dicom+json' }); res.end('{}'); return; }
      fetch(`${orthanc.url}${req.url}`, { headers: { accept: req.headers.accept ?? '*/*', authorization: req.headers.authorization ?? '' } })
        .then(async (r) => { res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' }); res.end(Buffer.from(await r.arrayBuffer())); })
        .catch(() => res.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const root = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/dicom-web`;
      // Not spawnSync: the proxy runs in this process.
      const r = await cliAsync(['--dicomweb', root, '--study', '2.25.1', '--study', STUDY_B]);
      expect(r.status, r.stderr).toBe(1);
      const got = lines(r.stdout);
      expect(got[0]).toEqual({ file: 'dicomweb:2.25.1', error: expect.stringMatching(/no such study/i), code: 'not_found' });
      expect(bySop(got.slice(1))).toEqual(bySop(disk.filter((l) => sopOf(l.file).startsWith(`${B_T1}.`))));
      expect(got.slice(1)).toHaveLength(3);
      expect(r.stderr).toMatch(/1 series, 3 files pulled from/);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  }, 120_000);

  it('BigBrain’s own result SR in the archive, and a file without pixel data in an image series: per file, exit 0, the image lines as before, both counted on stderr', async () => {
    const b = written.filter((w) => w.seriesUid === B_T1).map((w) => parseDicom(w.bytes));
    const evidence: SrEvidence = {
      patientStudy: patientStudyOf(b[0]!.dataSet), seriesInstanceUid: B_T1, seriesDescription: 'T1 AX B',
      instances: b.map((p) => ({ sopClassUid: p.meta.sopClassUid, sopInstanceUid: p.meta.sopInstanceUid, instanceNumber: p.meta.instanceNumber })),
    };
    const findings: SrFindings = {
      verdict: 'No Tumor', tumorProbability: 0.1, label: 'notumor', uncertain: false, counted: 3, slices: 3, notCounted: [], keySlices: [], complete: true,
      model: { name: 'bigbrain-test', version: '0.0.0' },
    };
    const sr = buildResultSr({ evidence, findings });
    // Another, its Modality made OT: a series the CLI does pull, whose one file holds no pixel data.
    const ot = buildResultSr({ evidence, findings });
    ot.bytes.set([0x4f, 0x54], parseDicom(ot.bytes).dataSet.elements.x00080060!.dataOffset);
    expect(parseDicom(ot.bytes).meta.modality).toBe('OT');
    await orthanc.upload(sr.bytes);
    await orthanc.upload(ot.bytes);
    expect((await listSeries(dicomwebSource(orthanc.dicomweb, CREDS), STUDY_B)).map((s) => s.modality).sort()).toEqual(['MR', 'OT', 'SR']);

    const r = await cliAsync(['--dicomweb', orthanc.dicomweb]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const got = lines(r.stdout);
    expect(got).toHaveLength(written.length);
    expect(bySop(got)).toEqual(bySop(disk));
    for (const uid of [sr.sopInstanceUid, ot.sopInstanceUid, sr.seriesInstanceUid, ot.seriesInstanceUid]) expect(r.stdout).not.toContain(uid);
    expect(r.stderr).toMatch(/4 series, 19 files pulled from \S+; skipped 1 \{"no image":1\}; 1 series not pulled \(no images: \{"SR":1\}\)/);
  }, 180_000);
});

describe('QIDO-RS paging of the studies (a fake archive)', () => {
  const UIDS = Array.from({ length: 8 }, (_, k) => `2.25.77${k}`);
  async function archive(pageCap: number, ignoresOffset = false) {
    const offsets: number[] = [];
    const server = createServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const offset = Number(q.get('offset') ?? 0);
      offsets.push(offset);
      const from = ignoresOffset ? 0 : offset;
      const rows = UIDS.slice(from, from + Math.min(pageCap, Number(q.get('limit') ?? 1000))).map((u) => ({ '0020000D': { vr: 'UI', Value: [u] } }));
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify(rows));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      offsets,
      src: dicomwebSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`, {}),
      close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
    };
  }

  it('an archive that caps its pages below the limit asked for: paged on past each short page, every study once', async () => {
    const a = await archive(3);
    try {
      expect(await listStudies(a.src)).toEqual(UIDS);
      expect(a.offsets).toEqual([0, 3, 6, 8]);
    } finally {
      await a.close();
    }
  });

  it('an archive that ignores offset: stops at the page that adds nothing', async () => {
    const a = await archive(3, true);
    try {
      expect(await listStudies(a.src)).toEqual(UIDS.slice(0, 3));
      expect(a.offsets).toEqual([0, 3]);
    } finally {
      await a.close();
    }
  });
});

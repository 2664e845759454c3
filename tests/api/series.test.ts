// POST /api/series with the real model on series written at test time from ../shared JPEGs (tests/support/
// series-fixtures.ts): the same answers as `npm run classify -- --series` on the same files, one history row per
// series with no patient data, the session, rate and size limits, and the multipart reader's part-by-part reading.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../api/db/migrate.ts';
import { openPglite } from '../../api/db/pglite.ts';
import type { Db } from '../../api/db/types.ts';
import { fileParts } from '../../api/series/multipart.ts';
import { seriesUidHash } from '../../api/series-results.ts';
import { createClassifier, type Classifier } from '../../models/node/classifier.ts';
import { FAKE_PATIENT } from '../support/dicom-fixtures.ts';
import { mixedFolder, UIDS, type SeriesFixture } from '../support/series-fixtures.ts';
import { available, hasData } from '../support/skip.ts';
import { expectErrorShape, makeApp, signUp, testConfig, type TestApp } from './helpers.ts';

type Answer = Record<string, unknown> & { keySlices: Array<{ file: string }>; seriesInstanceUID: string };

const formOf = (dir: string, names = readdirSync(dir)) => {
  const form = new FormData();
  for (const name of names) form.append('files', new Blob([readFileSync(join(dir, name))]), name);
  return form;
};

describe('the multipart reader', () => {
  const boundary = 'XyZ--boundary';
  const body = (parts: Array<[string, string | null, string]>) =>
    `preamble\r\n${parts.map(([field, file, content]) => `--${boundary}\r\nContent-Disposition: form-data; name="${field}"${file === null ? '' : `; filename="${file}"`}\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n`).join('')}--${boundary}--\r\nepilogue`;
  const streamOf = (bytes: Uint8Array, chunk: number) => new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.slice(i, i + chunk));
      c.close();
    },
  });
  const read = async (s: ReadableStream<Uint8Array>, maxBytes = 1e6) => {
    const out: Array<[string, string, string]> = [];
    for await (const p of fileParts(s, boundary, { maxBytes, maxParts: 10 })) out.push([p.field, p.filename, Buffer.from(p.bytes).toString()]);
    return out;
  };

  it('gives the file parts alike whatever the chunking (1 byte to all at once), text fields dropped', async () => {
    // A content that holds the boundary's start and CRLFs, to tempt a naive search.
    const tricky = `a\r\n--XyZ-\r\n--XyZ--boundar\r\nz`;
    const bytes = new TextEncoder().encode(body([['a', 'one.dcm', 'first'], ['note', null, 'text'], ['b', 'two', tricky], ['c', '', '']]));
    for (const chunk of [1, 2, 3, 7, 16, 64, bytes.length]) {
      expect(await read(streamOf(bytes, chunk))).toEqual([['a', 'one.dcm', 'first'], ['b', 'two', tricky], ['c', '', '']]);
    }
  });

  it('hands a part on before the rest of the body has arrived', async () => {
    let push!: (s: string) => void;
    let close!: () => void;
    const stream = new ReadableStream<Uint8Array>({ start(c) { push = (s) => c.enqueue(new TextEncoder().encode(s)); close = () => c.close(); } });
    const parts = fileParts(stream, boundary, { maxBytes: 1e6, maxParts: 10 });
    push(`--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\nXXXX\r\n--${boundary}\r\n`);
    const first = await parts.next();
    expect(Buffer.from(first.value!.bytes).toString()).toBe('XXXX');
    push(`Content-Disposition: form-data; name="g"; filename="y"\r\n\r\nYY\r\n--${boundary}--`);
    close();
    expect(Buffer.from((await parts.next()).value!.bytes).toString()).toBe('YY');
    expect((await parts.next()).done).toBe(true);
  });

  it('refuses a body over its limit (413), too many parts (413), and a cut or malformed body (400)', async () => {
    const bytes = new TextEncoder().encode(body([['a', 'one', 'x'.repeat(5000)]]));
    await expect(read(streamOf(bytes, 100), 1000)).rejects.toMatchObject({ status: 413, code: 'too_large' });
    const many = new TextEncoder().encode(body(Array.from({ length: 11 }, (_, i) => [`f${i}`, `n${i}`, 'x'] as [string, string, string])));
    await expect(read(streamOf(many, 50))).rejects.toMatchObject({ status: 413, code: 'too_large' });
    await expect(read(streamOf(bytes.slice(0, 200), 50))).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    await expect(read(streamOf(new TextEncoder().encode('no boundary here'), 4))).rejects.toMatchObject({ status: 400 });
  });

  it('refuses a boundary followed by a line that never ends at once, not after reading it all (it cost seconds per 32 MiB)', async () => {
    let pulled = 0;
    const junk = new Uint8Array(64 * 1024).fill(0x41);
    const stream = new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(new TextEncoder().encode(`--${boundary}`)); },
      pull(c) { pulled++; if (pulled > 512) c.close(); else c.enqueue(junk); },
    });
    await expect(read(stream, 64 * 2 ** 20)).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    expect(pulled).toBeLessThan(4);
  });
});

describe.runIf(available(hasData, 'the MRI data folder (../shared/data)'))('POST /api/series (real model)', () => {
  let db: Db;
  let classifier: Classifier;
  let app: TestApp;
  let token: string;
  let fx: SeriesFixture;
  let answer: { series: Answer[]; files: number; skipped: Record<string, number>; sliceAnswers: Array<Record<string, unknown>>; ms: number };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    classifier = await createClassifier();
    app = makeApp(db, { classifier });
    ({ token } = await signUp(app));
    fx = await mixedFolder();
    const res = await app.request('/api/series?slices=1', { method: 'POST', headers: { 'auth-token': token }, body: formOf(fx.dir) });
    expect(res.status, await res.clone().text()).toBe(200);
    answer = await res.json();
  }, 180_000);
  afterAll(async () => {
    fx?.remove();
    await classifier?.release();
    await db?.close();
  });

  it('answers every series of the mixed folder as the CLI does on the same files', () => {
    const r = spawnSync('npx', ['tsx', 'models/scripts/classify.ts', '--series', '--slices', fx.dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const cli = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Answer);
    const base = (f: string) => f.split('/').pop()!;
    const norm = (o: Record<string, unknown>) => {
      const rest = { ...o };
      delete rest.id;
      return { ...rest, ...(rest.keySlices ? { keySlices: (rest.keySlices as Array<{ file: string }>).map((k) => ({ ...k, file: base(k.file) })) } : {}), ...(typeof rest.file === 'string' ? { file: base(rest.file) } : {}) };
    };
    expect(answer.series.map(norm)).toEqual(cli.filter((o) => typeof o.slices === 'number').map(norm));
    expect(answer.sliceAnswers.map(norm)).toEqual(cli.filter((o) => 'index' in o).map(norm));
    expect(answer.files).toBe(58);
    expect(answer.skipped).toEqual({ 'not DICOM': 2 });
    const tumour = answer.series.find((s) => s.seriesInstanceUID === UIDS.tumour)!;
    expect(tumour.result).toBe('Tumor');
    for (const k of tumour.keySlices) expect(fx.byName.get(k.file)!.tumour).toBe(true);
  });

  it('stores one history row per series: a hash of the Series Instance UID, description, slices, verdict, model — no patient data', async () => {
    const rows = await db.query<Record<string, unknown>>('select * from series_results order by created_at, id');
    expect(rows).toHaveLength(5);
    const byHash = new Map(rows.map((r) => [r.series_uid_sha256, r]));
    for (const s of answer.series) {
      expect(byHash.get(seriesUidHash(s.seriesInstanceUID))).toMatchObject({ description: s.description, slices: s.slices, result: s.result, uncertain: s.uncertain, model_version: (s.model as { version: string }).version });
    }
    const stored = JSON.stringify(rows);
    for (const v of [...Object.values(FAKE_PATIENT).filter((v) => v !== FAKE_PATIENT.seriesDescription && v.length > 2), UIDS.tumour, UIDS.studyA, ...fx.byName.keys()]) expect(stored).not.toContain(v);
    const res = await app.request('/api/series', { headers: { 'auth-token': token } });
    expect(res.status).toBe(200);
    const { items } = await res.json() as { items: Array<{ id: string; seriesUidSha256: string }> };
    expect(new Set(items.map((i) => i.id))).toEqual(new Set(answer.series.map((s) => s.id)));
  });

  it('echoes no patient data', () => {
    const text = JSON.stringify(answer);
    for (const v of Object.values(FAKE_PATIENT).filter((v) => v !== FAKE_PATIENT.seriesDescription && v.length > 2)) expect(text).not.toContain(v);
  });

  it('needs a session, multipart with a file; keeps its own size limit and the /detect rate limit', async () => {
    const one = [...fx.byName.keys()].slice(0, 3);
    expect((await app.request('/api/series', { method: 'POST', body: formOf(fx.dir, one) })).status).toBe(401);
    const raw = await app.request('/api/series', { method: 'POST', headers: { 'auth-token': token, 'content-type': 'application/dicom' }, body: 'x' });
    expect(raw.status).toBe(415);
    expectErrorShape(await raw.json());
    const text = new FormData();
    text.append('note', 'no files');
    const empty = await app.request('/api/series', { method: 'POST', headers: { 'auth-token': token }, body: text });
    expect(empty.status).toBe(400);
    expect((await empty.json()).code).toBe('missing_file');

    // 3 files of ~65 KB against a 100 KB series limit (the 10 MiB request limit does not apply here).
    const small = makeApp(db, { classifier, config: testConfig({ seriesBodyLimit: 100_000, bodyLimit: 1_000_000 }) });
    const { token: t2 } = await signUp(small);
    const over = await small.request('/api/series', { method: 'POST', headers: { 'auth-token': t2 }, body: formOf(fx.dir, one) });
    expect(over.status).toBe(413);
    expect((await over.json()).code).toBe('too_large');
    // Larger than BODY_LIMIT_BYTES but within the series limit: accepted.
    const big = makeApp(db, { classifier, config: testConfig({ seriesBodyLimit: 10_000_000, bodyLimit: 100_000 }) });
    const { token: t3 } = await signUp(big);
    expect((await big.request('/api/series', { method: 'POST', headers: { 'auth-token': t3 }, body: formOf(fx.dir, one) })).status).toBe(200);

    const limited = makeApp(db, { classifier, config: testConfig({ limits: { ...testConfig().limits, detectPerUser: { max: 1, windowMs: 60_000 } } }) });
    const { token: t4 } = await signUp(limited);
    expect((await limited.request('/api/series', { method: 'POST', headers: { 'auth-token': t4 }, body: formOf(fx.dir, one) })).status).toBe(200);
    const second = await limited.request('/api/series', { method: 'POST', headers: { 'auth-token': t4 }, body: formOf(fx.dir, one) });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeTruthy();
  }, 60_000);

  it('adds each key slice\'s evidence map with ?heatmap=1, peaking at its P(tumour)', async () => {
    const names = [...fx.byName].filter(([, w]) => w.seriesUid === UIDS.tumour).map(([name]) => name);
    const res = await app.request('/api/series?heatmap=1', { method: 'POST', headers: { 'auth-token': token }, body: formOf(fx.dir, names) });
    expect(res.status).toBe(200);
    const [s] = (await res.json() as { series: Array<{ keySlices: Array<{ tumorProbability: number; heatmap: { width: number; height: number; values: number[] } }> }> }).series;
    expect(s!.keySlices).toHaveLength(3);
    for (const k of s!.keySlices) {
      expect(k.heatmap.values).toHaveLength(k.heatmap.width * k.heatmap.height);
      expect(Math.max(...k.heatmap.values)).toBeCloseTo(k.tumorProbability, 2);
    }
    // Without the flag, no map.
    expect(answer.series.flatMap((x) => x.keySlices).some((k) => 'heatmap' in k)).toBe(false);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await (await app.request('/api/openapi.json')).json() as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths['/api/series']!)).toEqual(expect.arrayContaining(['post', 'get']));
    expect(doc.components.schemas.SeriesAnswer).toBeTruthy();
  });
});

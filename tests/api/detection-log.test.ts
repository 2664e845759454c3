// Group commit of server detections: many concurrent saves share few inserts, each caller gets its own
// row back only once stored, and one bad row fails only its own caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectionLog, listDetections, type DetectionInput } from '../../api/detections.ts';
import type { Db, Queryable } from '../../api/db/types.ts';
import { drivers } from './drivers.ts';

describe.each(drivers)('detection log on $name', (driver) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let userId: string;
  let inserts = 0;
  const counting: Queryable = { query: (sql, params) => { if (/^\s*insert/i.test(sql)) inserts++; return db.query(sql, params); } };

  const row = (i: number, over: Partial<Omit<DetectionInput, 'clientId'>> = {}): DetectionInput & { clientId: null } => ({
    userId, clientId: null, source: 'server', result: i % 2 ? 'Tumor' : 'No Tumor', label: i % 2 ? 'glioma' : 'notumor',
    probabilities: { glioma: i / 1000, meningioma: 0, pituitary: 0, notumor: 1 - i / 1000 }, tumorProbability: i / 1000,
    uncertain: false, model: { name: 'bigbrain-cnn', version: 'test' }, imageSha256: i.toString(16).padStart(64, '0'), ms: i, ...over,
  });

  beforeAll(async () => {
    ({ db, dispose } = await driver.open());
    const [u] = await db.query<{ id: string }>("insert into users (email, password_hash) values ('log@example.com', 'x') returning id");
    userId = u!.id;
  });
  afterAll(() => dispose());

  it('stores 200 concurrent detections in far fewer inserts, each caller getting its own row', async () => {
    const log = createDetectionLog(counting, { maxRows: 64 });
    inserts = 0;
    const saved = await Promise.all(Array.from({ length: 200 }, (_, i) => log.save(row(i))));
    expect(inserts).toBeLessThan(20);
    expect(inserts).toBeGreaterThanOrEqual(4); // 200 / 64
    saved.forEach((d, i) => {
      expect(d.ms).toBe(i);
      expect(d.imageSha256).toBe(i.toString(16).padStart(64, '0'));
      expect(d.probabilities?.glioma).toBeCloseTo(i / 1000, 9);
    });
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>('select count(*)::int as n from detections where user_id = $1', [userId]);
    expect(n).toBe(200);
    expect(new Set(saved.map((d) => d.id)).size).toBe(200);
    // What a save answers is what the history reads back later, field for field.
    const { items } = await listDetections(db, userId, 500, null);
    const stored = new Map(items.map((d) => [d.id, d]));
    for (const d of saved) expect(stored.get(d.id)).toEqual(d);
  });

  it('lets a queued row wait for requests still being analysed (up to maxWaitMs), then shares one insert with them', async () => {
    const log = createDetectionLog(counting, { maxWaitMs: 200 });
    inserts = 0;
    const first = log.coming(), second = log.coming();
    first();
    const a = log.save(row(7));
    await new Promise((r) => setTimeout(r, 30));
    expect(inserts).toBe(0); // the second request is still on its way
    second();
    const b = log.save(row(8));
    await Promise.all([a, b]);
    expect(inserts).toBe(1);

    // One that never comes (its request failed without saying so) holds a row at most maxWaitMs.
    const quick = createDetectionLog(counting, { maxWaitMs: 20 });
    inserts = 0;
    quick.coming();
    const started = Date.now();
    await quick.save(row(9));
    expect(inserts).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    // With nothing on its way a row is written in the same turn's end, without the wait.
    const t = Date.now();
    await createDetectionLog(counting, { maxWaitMs: 5000 }).save(row(10));
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('fails only the bad row of a group', async () => {
    const log = createDetectionLog(db);
    const results = await Promise.allSettled([log.save(row(1)), log.save(row(2, { imageSha256: 'not a hash' })), log.save(row(3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

// Dynamic batching: concurrent analyse() calls made within a short window share one inference.
// One session, one run per batch; each caller gets back exactly its own results. A batch that
// fails is retried image by image, so one bad input fails only its own caller.
import type { Classifier } from './classifier.ts';

type Analyse = Classifier['analyse'];
type Result = Awaited<ReturnType<Analyse>>[number];

export interface BatchOptions {
  /** Most images in one inference. */
  maxBatch: number;
  /** Longest time the first queued image waits for company, in ms. */
  maxWaitMs: number;
  /** Whether more images are on their way (e.g. being decoded); when it says no, the batch runs at once. */
  more?: () => boolean;
}

interface Pending {
  images: Parameters<Analyse>[0];
  resolve(results: Result[]): void;
  reject(err: unknown): void;
}

export function createBatcher(inner: Pick<Classifier, 'analyse'>, { maxBatch, maxWaitMs, more }: BatchOptions): Pick<Classifier, 'analyse'> {
  if (maxBatch < 1) throw new Error('maxBatch must be ≥ 1');
  const queue: Pending[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  const take = (): Pending[] => {
    // Whole calls only: a caller's images stay together (a call larger than maxBatch runs alone).
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length > 0 && (batch.length === 0 || n + queue[0]!.images.length <= maxBatch)) {
      const p = queue.shift()!;
      n += p.images.length;
      batch.push(p);
    }
    queued -= n;
    return batch;
  };

  const runOne = async (p: Pending): Promise<void> => {
    try {
      p.resolve(await inner.analyse(p.images));
    } catch (err) {
      p.reject(err);
    }
  };

  const run = async (batch: Pending[]): Promise<void> => {
    const images = batch.flatMap((p) => p.images);
    let results: Result[];
    try {
      results = await inner.analyse(images);
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // Find the culprit: every caller on its own.
      for (const p of batch) await runOne(p);
      return;
    }
    let at = 0;
    for (const p of batch) {
      p.resolve(results.slice(at, at + p.images.length));
      at += p.images.length;
    }
  };

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      // While one batch runs, newcomers queue up: they form the next batch without extra waiting.
      while (queue.length > 0) await run(take());
    } finally {
      running = false;
    }
  };

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    void drain();
  };

  return {
    analyse(images) {
      if (images.length === 0) return Promise.resolve([]);
      return new Promise<Result[]>((resolve, reject) => {
        queue.push({ images, resolve, reject });
        queued += images.length;
        if (running) return; // picked up when the current batch ends
        if (queued >= maxBatch || maxWaitMs <= 0 || (more && !more())) flush();
        else timer ??= setTimeout(flush, maxWaitMs);
      });
    },
  };
}

// HTTP load with autocannon: real MRIs (multipart) or DICOM slices (raw application/dicom bodies), one auth token;
// RSS of the server (process tree) sampled throughout.
import { createRequire } from 'node:module';
import { multipart, round, treeRss } from './lib.ts';

interface Hist { average: number; p50: number; p90: number; p99: number; max: number; total: number }
interface AcResult { requests: Hist & { sent: number }; latency: Hist; duration: number; errors: number; timeouts: number; non2xx: number; '2xx': number }
type Autocannon = (o: Record<string, unknown>) => Promise<AcResult>;
// autocannon ships no types: loaded through require, typed by the part used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  peakRssMiB: number | null;
  /** When the run started (ISO), so the interleaving order can be read back from the JSON. */
  startedAt?: string;
}

export async function load(
  url: string,
  tokenValue: string,
  images: Array<{ name: string; bytes: Buffer }>,
  { connections, seconds, pid, path = '/detect', as = 'multipart' }: { connections: number; seconds: number; pid?: number; path?: string; as?: 'multipart' | 'dicom' },
): Promise<LoadResult> {
  const requests = images.map((img) => {
    const { body, contentType } = as === 'dicom' ? { body: img.bytes, contentType: 'application/dicom' } : multipart(img.name, img.bytes);
    return { method: 'POST', path, headers: { 'auth-token': tokenValue, 'content-type': contentType }, body };
  });
  const startedAt = new Date().toISOString();
  let peak = 0;
  const sampler = pid ? setInterval(() => (peak = Math.max(peak, treeRss(pid))), 100) : null;
  try {
    const r = await autocannon({ url, connections, duration: seconds, requests, timeout: 30 });
    return {
      connections, seconds: round(r.duration, 1)!, requests: r.requests.total, reqPerSec: round(r['2xx'] / r.duration, 1)!,
      p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx,
      peakRssMiB: pid ? round(peak, 0) : null, startedAt,
    };
  } finally {
    if (sampler) clearInterval(sampler);
  }
}

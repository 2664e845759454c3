// One file's download that survives a flaky network: streamed, retried with backoff, and resumed
// with an HTTP Range request from the bytes already received when the server answers 206.
import { joinReceived, nothingReceived, readBody } from '../../lib/read-body.ts';

export interface RetryInfo {
  file: string;
  /** The attempt about to start (2 = the first retry). */
  attempt: number;
  of: number;
  reason: string;
}

export interface DownloadOptions {
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Wait before attempt n (n ≥ 2); default 500 ms × 2^(n-2). */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (r: RetryInfo) => void;
}

/** A download that gave up: the HTTP status said so, or every attempt failed. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
// 408 and 429 are worth another try; other 4xx (404, 403…) will not change.
const retryableStatus = (s: number) => s >= 500 || s === 408 || s === 429;

/** The start offset of a 206 answer (`Content-Range: bytes 100-199/200`), or null. */
function rangeStart(res: Response): number | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('Content-Range') ?? '');
  return m ? Number(m[1]) : null;
}

/**
 * Fetches `url` into memory. `expectedBytes` (0 = unknown) lets a body that ends early count as
 * truncated. Reports each chunk's running total through onBytes (which can go back to 0 when
 * the server ignores Range and the download starts over).
 */
export async function download(
  url: string,
  label: string,
  expectedBytes: number,
  fetchImpl: typeof fetch,
  onBytes: (got: number) => void,
  opts: DownloadOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const backoff = opts.backoffMs ?? ((n: number) => 500 * 2 ** (n - 2));
  const sleep = opts.sleep ?? sleepMs;
  let received = nothingReceived();
  const restart = () => {
    received = nothingReceived();
    onBytes(0);
  };

  for (let attempt = 1; ; attempt++) {
    const got = received.bytes;
    try {
      const headers: Record<string, string> = got > 0 ? { Range: `bytes=${got}-` } : {};
      const res = await fetchImpl(url, { cache: 'no-store', headers });
      if (got > 0 && res.status === 206) {
        // Resume only when the server continues exactly where we stopped.
        if (rangeStart(res) !== got) throw new DownloadError(`unexpected Content-Range "${res.headers.get('Content-Range')}"`, true);
      } else if (got > 0 && res.status === 416) {
        restart();
        throw new DownloadError('the server refused the resume range', true);
      } else if (res.ok) {
        if (got > 0) restart(); // Range ignored (200): the whole file again.
      } else {
        throw new DownloadError(`HTTP ${res.status}`, retryableStatus(res.status));
      }
      if (!res.body) throw new DownloadError('empty response', true);
      await readBody(res.body, received, onBytes);
      if (expectedBytes > 0 && received.bytes < expectedBytes) throw new DownloadError(`the body ended after ${received.bytes} of ${expectedBytes} bytes`, true);
      return joinReceived(received);
    } catch (err) {
      const retryable = !(err instanceof DownloadError) || err.retryable; // network errors are TypeErrors
      const reason = err instanceof Error ? err.message : String(err);
      if (!retryable) throw new DownloadError(`Could not download ${label} (${reason}).`, false);
      if (attempt >= attempts)
        throw new DownloadError(`Could not download ${label} after ${attempts} attempts (${reason}).`, true);
      opts.onRetry?.({ file: label, attempt: attempt + 1, of: attempts, reason });
      await sleep(backoff(attempt + 1));
    }
  }
}

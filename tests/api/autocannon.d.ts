// The part of autocannon's API the load test uses (the package ships no types).
declare module 'autocannon' {
  export interface RawRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  }
  interface Options {
    url: string;
    connections?: number;
    amount?: number;
    timeout?: number;
    pipelining?: number;
    requests?: Array<RawRequest & {
      setupRequest?: (req: RawRequest, context: Record<string, unknown>) => RawRequest;
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }>;
  }
  interface Histogram { average: number; p50: number; p99: number; max: number; total: number }
  export interface Result {
    requests: Histogram & { sent: number };
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    resets: number;
    non2xx: number;
    mismatches: number;
    statusCodeStats: Record<string, { count: number }>;
    '1xx': number; '2xx': number; '3xx': number; '4xx': number; '5xx': number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}

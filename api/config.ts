// Configuration: environment variables in, one typed object out. Nothing else reads process.env.
import { resolve } from 'node:path';

export interface Config {
  /** TCP port of the HTTP server. */
  port: number;
  /** Host to bind. */
  host: string;
  /** PGlite data directory (used when databaseUrl is unset). */
  dataDir: string;
  /** Postgres URL: when set the Neon serverless driver is used instead of PGlite. */
  databaseUrl: string | undefined;
  /** host:port/path of a WebSocket→TCP proxy for a non-Neon Postgres (development, CI). */
  databaseWsProxy: string | undefined;
  /** POST /authorization registers unknown emails (the original contract). */
  autoRegister: boolean;
  /** Session lifetime; renewed when used in its second half. */
  sessionDays: number;
  /** How long a validated session is trusted from memory before the database is asked again (0 = always ask). */
  sessionCacheMs: number;
  /** 'auto' marks the cookie Secure when the request came over HTTPS. */
  cookieSecure: 'auto' | boolean;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Largest POST /api/series body (many DICOM files), in bytes; read part by part, never held whole. */
  seriesBodyLimit: number;
  /** Built PWA, served to browsers. */
  distDir: string;
  /** Static assets (model files) served when dist/web/ has not been built. */
  publicDir: string;
  /** Path of the ONNX model; undefined = the model card's file under public/. */
  modelPath: string | undefined;
  /** int8 (default): the card's int8 build of the model when it has one; fp32: the file the browser runs. */
  modelPrecision: 'int8' | 'fp32';
  /** onnxruntime intra-op threads. */
  modelThreads: number;
  /** Most /detect images batched into one inference (1 = no batching). */
  modelBatch: number;
  /** Longest wait for a batch to fill, ms. */
  modelBatchWaitMs: number;
  /** Worker threads running decode + preprocess + inference (0 = on the event loop). */
  detectWorkers: number;
  /** Largest JSON body on the credential routes (/authorization, /api/auth/*); longer → 400. */
  jsonBodyLimit: number;
  /** Client address from the first X-Forwarded-For entry (only behind a proxy you control). */
  trustProxy: boolean;
  /** Rate limits; a limit with max 0 is off. */
  limits: Limits;
  /** The PACS's DICOMweb root (DICOMWEB_URL), forwarded under /api/dicomweb/; undefined = no PACS. */
  dicomweb: DicomwebConfig | undefined;
}

export interface DicomwebConfig {
  /** The DICOMweb root, no trailing slash (e.g. http://orthanc:8042/dicom-web). */
  url: URL;
  /** The Authorization header the gateway sends (basic from DICOMWEB_USER/PASSWORD, or Bearer DICOMWEB_TOKEN). */
  authorization: string | undefined;
  /** Longest wait for the PACS's response headers, ms (→ 504 pacs_unavailable). */
  timeoutMs: number;
}

/** At most `max` events per `windowMs` (fixed window: the count resets when the window ends). */
export interface Limit {
  max: number;
  windowMs: number;
}

export interface Limits {
  /** Failed logins for one email from one client address (the tight one). */
  loginPerEmailIp: Limit;
  /** Failed logins for one email from anywhere (looser: a distributed guesser). */
  loginPerEmail: Limit;
  /** Failed logins from one client address, any email (credential stuffing). */
  loginPerIp: Limit;
  /** POST /detect per user, per server instance (in memory). */
  detectPerUser: Limit;
  /** /api/dicomweb/* requests per user, per server instance (in memory); absent = 600 per 60 s. */
  dicomwebPerUser?: Limit;
}

function dicomwebConfig(env: Record<string, string | undefined>): DicomwebConfig | undefined {
  const raw = env.DICOMWEB_URL;
  if (!raw) return undefined;
  let url: URL;
  try { url = new URL(raw); } catch { throw new Error(`DICOMWEB_URL must be an http(s) URL, got "${raw}".`); }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new Error('DICOMWEB_URL must be a plain http(s) URL (credentials in DICOMWEB_USER/DICOMWEB_PASSWORD or DICOMWEB_TOKEN).');
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  const { DICOMWEB_USER: user, DICOMWEB_PASSWORD: password, DICOMWEB_TOKEN: token } = env;
  if (token && user) throw new Error('Set DICOMWEB_TOKEN or DICOMWEB_USER/DICOMWEB_PASSWORD, not both.');
  const authorization = token ? `Bearer ${token}` : user ? `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` : undefined;
  return { url, authorization, timeoutMs: int('DICOMWEB_TIMEOUT_MS', env.DICOMWEB_TIMEOUT_MS, 30_000, 1) };
}

const flag = (v: string | undefined, fallback: boolean): boolean => {
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new Error(`Expected a boolean (true/false), got "${v}".`);
};

const int = (name: string, v: string | undefined, fallback: number, min = 0): number => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${v}".`);
  return n;
};

const precision = (v: string | undefined): 'int8' | 'fp32' => {
  if (v === undefined || v === '' || v === 'int8') return 'int8';
  if (v === 'fp32') return 'fp32';
  throw new Error(`MODEL_PRECISION must be int8 or fp32, got "${v}".`);
};

const limit = (env: Record<string, string | undefined>, name: string, max: number, windowS: number): Limit => ({
  max: int(name, env[name], max),
  windowMs: int(`${name}_WINDOW_S`, env[`${name}_WINDOW_S`], windowS, 1) * 1000,
});

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const cookie = env.COOKIE_SECURE;
  return {
    port: int('PORT', env.PORT, 8787),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(cwd, env.BIGBRAIN_DATA_DIR || 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseWsProxy: env.DATABASE_WS_PROXY || undefined,
    autoRegister: flag(env.AUTO_REGISTER, true),
    sessionDays: int('SESSION_DAYS', env.SESSION_DAYS, 30, 1),
    sessionCacheMs: int('SESSION_CACHE_MS', env.SESSION_CACHE_MS, 2000),
    cookieSecure: !cookie || cookie === 'auto' ? 'auto' : flag(cookie, false),
    bodyLimit: int('BODY_LIMIT_BYTES', env.BODY_LIMIT_BYTES, 10 * 1024 * 1024, 1024),
    seriesBodyLimit: int('SERIES_BODY_LIMIT_BYTES', env.SERIES_BODY_LIMIT_BYTES, 200 * 1024 * 1024, 1024),
    distDir: resolve(cwd, env.BIGBRAIN_DIST_DIR || 'dist/web'),
    publicDir: resolve(cwd, 'public'),
    modelPath: env.MODEL_PATH ? resolve(cwd, env.MODEL_PATH) : undefined,
    modelPrecision: precision(env.MODEL_PRECISION),
    modelThreads: int('MODEL_THREADS', env.MODEL_THREADS, 1, 1),
    modelBatch: int('MODEL_BATCH', env.MODEL_BATCH, 16, 1),
    modelBatchWaitMs: int('MODEL_BATCH_WAIT_MS', env.MODEL_BATCH_WAIT_MS, 2),
    detectWorkers: int('DETECT_WORKERS', env.DETECT_WORKERS, 2),
    jsonBodyLimit: int('JSON_BODY_LIMIT_BYTES', env.JSON_BODY_LIMIT_BYTES, 16 * 1024, 256),
    trustProxy: flag(env.TRUST_PROXY, false),
    limits: {
      loginPerEmailIp: limit(env, 'LOGIN_FAILS_PER_EMAIL_IP', 5, 15 * 60),
      loginPerEmail: limit(env, 'LOGIN_FAILS_PER_EMAIL', 50, 15 * 60),
      loginPerIp: limit(env, 'LOGIN_FAILS_PER_IP', 100, 15 * 60),
      detectPerUser: limit(env, 'DETECT_PER_USER', 60, 60),
      dicomwebPerUser: limit(env, 'DICOMWEB_PER_USER', 600, 60),
    },
    dicomweb: dicomwebConfig(env),
  };
}

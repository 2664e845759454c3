// The API client: every server call of the app goes through here (and through react-query hooks).
import type { Diagnosis } from '../../models/core/interpret.ts';
import type { SeriesAnswer } from '../../models/core/series/index.ts';
import type { AnalysisResult } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached (offline?).');
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: string; code?: string };
    throw new ApiError(res.status, b.code ?? `http_${res.status}`, b.error ?? `The server answered ${res.status}.`);
  }
  return body as T;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

export interface User {
  id: string;
  email: string;
  /** GET /api/me: whether the server has a PACS (DICOMWEB_URL), reached through /api/dicomweb/*. */
  pacs?: boolean;
}

export const api = {
  /** Signs in; the server also sets the httpOnly session cookie the app relies on. */
  signIn: (email: string, password: string) => request<{ accessToken: string }>('/authorization', json('POST', { email, password })),
  register: (email: string, password: string) => request<unknown>('/api/auth/register', json('POST', { email, password })),
  signOut: () => request<unknown>('/api/auth/logout', { method: 'POST' }),
  me: async (): Promise<User | null> => {
    try {
      const r = await request<User | { user: User } | null>('/api/me');
      if (!r || typeof r !== 'object') return null;
      const user = 'user' in r ? r.user : r;
      return user && typeof user.id === 'string' ? user : null;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return null;
      throw err;
    }
  },
  /** Sends the image itself: call only after the user's consent (or their automatic-fallback setting). */
  detect: async (file: Blob, name: string): Promise<AnalysisResult> => {
    const form = new FormData();
    form.append('file', file, name);
    // The server answers 200 with diagnoses only (an image that is not an MRI is a 422 not_mri).
    const r = await request<Omit<Diagnosis, 'mriProbability'> & { mriProbability?: number; ms: number }>('/detect', { method: 'POST', body: form });
    return { ...r, mriProbability: r.mriProbability ?? NaN, backend: 'Server' };
  },
  /**
   * Sends a series' files to POST /api/series, one part a file: call only after the user's consent (or their
   * automatic-fallback setting), with de-identified copies (InferenceClient.deidentify). The part names are
   * numbers, not the files' own names (a CD's names can hold the patient's).
   */
  series: (files: readonly Blob[]): Promise<ServerSeriesAnswer> => {
    const form = new FormData();
    files.forEach((f, i) => form.append('files', f, `${String(i + 1).padStart(4, '0')}.dcm`));
    return request<ServerSeriesAnswer>('/api/series', { method: 'POST', body: form });
  },
  /** Stores results computed on the device; idempotent by the client-generated id. Never the image. */
  saveDetection: (d: DetectionUpload) => request<unknown>('/api/detections', json('POST', d)),
};

/** POST /api/detections body: a result computed on the device. Never the image (its sha256 only). */
export interface DetectionUpload {
  id: string;
  createdAt: string;
  model: { name: string; version: string };
  result: 'Tumor' | 'No Tumor';
  label: string;
  probabilities: Record<string, number>;
  tumorProbability: number;
  uncertain: boolean;
  ms: number;
  imageSha256: string;
}

/** POST /api/series answer: one verdict per series found in the files (api/series-schemas.ts). */
export interface ServerSeriesAnswer {
  series: Array<SeriesAnswer & { id: string }>;
  files: number;
  skipped: Record<string, number>;
  ms: number;
}

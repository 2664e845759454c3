// /api/dicomweb/*: a thin, authenticated DICOMweb gateway to the PACS named by DICOMWEB_URL (QIDO-RS search, WADO-RS
// retrieve and metadata, STOW-RS store). Session required, rate-limited per user, allow-listed paths and query keys
// only (api/dicomweb/paths.ts), streamed both ways (api/dicomweb/forward.ts). Each WADO-RS retrieve of pixel data
// (study, series, instance, frames) and each STOW is written to the audit log (searches and metadata are not). Without DICOMWEB_URL every path answers 503 pacs_not_configured.
import { createMiddleware } from 'hono/factory';
import { MODEL_INFO } from '../../models/core/model.ts';
import { requireSession } from '../auth/require-session.ts';
import { isAudited, writeAudit } from '../dicomweb/audit.ts';
import { forward, limitStream } from '../dicomweb/forward.ts';
import { allowedPath, forwardedQuery } from '../dicomweb/paths.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { memoryCounter, retryAfterSeconds } from '../limits/counter.ts';
import { z } from '@hono/zod-openapi';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

export const DICOMWEB_PREFIX = '/api/dicomweb/';

export function dicomwebRoutes() {
  const app = createRouter();
  const counter = memoryCounter();
  const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
    const { config, now } = c.var.deps;
    const limit = config.limits.dicomwebPerUser ?? { max: 600, windowMs: 60_000 };
    if (limit.max > 0) {
      const t = now();
      const count = await counter.hit(`dicomweb:${c.var.user.id}`, limit, t);
      if (count.count > limit.max) {
        const seconds = retryAfterSeconds(count, t);
        throw new ApiError(429, 'rate_limited', `At most ${limit.max} PACS requests per ${limit.windowMs / 1000} s: try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
      }
    }
    await next();
  });

  const description =
    'A thin DICOMweb gateway to the PACS named by DICOMWEB_URL (the configured credentials are added; the client\'s Cookie and Authorization are not passed on). ' +
    'Forwarded: QIDO-RS GET studies, series, instances, studies/{study}/series, …/instances; WADO-RS GET studies/{study}, …/series/{series}, …/instances/{sop}, …/frames/{n}, and each …/metadata; ' +
    'STOW-RS POST studies and studies/{study} (multipart/related, streamed, SERIES_BODY_LIMIT_BYTES). UIDs are digits and dots; anything else is 404 not_found before the PACS is reached. ' +
    'Only Accept, Content-Type and the QIDO matching keys (PatientID, PatientName, StudyDate, AccessionNumber, ModalitiesInStudy, …, 8-digit tags, limit, offset, includefield, fuzzymatching) are forwarded. ' +
    'Each WADO-RS retrieve of pixel data (a study, a series, an instance, frames) and each STOW is written to the audit log (user, time, action, SHA-256 of the Study Instance UID, model version for a STOW); QIDO-RS searches and metadata are not. ' +
    '502/504 pacs_unavailable: the PACS is unreachable, failed, or did not answer within DICOMWEB_TIMEOUT_MS; 502 pacs_refused: the PACS refused the gateway\'s own credentials (401/403); 503 pacs_not_configured without DICOMWEB_URL.';
  const path = { params: z.object({ path: z.string().openapi({ description: 'The DICOMweb path below the root, e.g. studies/1.2.3/series' }) }) };
  for (const method of ['get', 'post'] as const) {
    app.openAPIRegistry.registerPath({
      method, path: '/api/dicomweb/{path}', summary: method === 'get' ? 'QIDO-RS search, WADO-RS retrieve (through the PACS gateway)' : 'STOW-RS store (through the PACS gateway)',
      security: SECURITY, description, request: path,
      responses: {
        200: { description: 'The PACS\'s answer, streamed (application/dicom+json, or multipart/related)' },
        ...errorResponses(400, 401, 404, 405, 413, 415, 429, 502, 503, 504),
      },
    });
  }
  app.all('/api/dicomweb/*', requireSession, rateLimit, async (c) => {
    const { deps, user } = c.var;
    const pacs = deps.config.dicomweb;
    if (!pacs) throw new ApiError(503, 'pacs_not_configured', 'No PACS is configured on this server (DICOMWEB_URL is unset).');
    const method = c.req.method;
    if (method !== 'GET' && method !== 'POST') throw new ApiError(405, 'method_not_allowed', 'DICOMweb through this gateway is GET (QIDO-RS, WADO-RS) or POST (STOW-RS).');
    // The raw request target, not the router's decoded path: nothing encoded or dotted is accepted.
    const target = c.req.raw.url;
    const rawPath = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)/i.exec(target)?.[1] ?? '';
    const allowed = rawPath.startsWith(DICOMWEB_PREFIX) ? allowedPath(method, rawPath.slice(DICOMWEB_PREFIX.length)) : undefined;
    if (!allowed) throw new ApiError(404, 'not_found', 'Not a DICOMweb resource this gateway forwards (studies, series, instances, metadata, frames; UIDs as digits and dots).');
    let body: ReadableStream<Uint8Array> | null = null;
    if (method === 'POST') {
      const max = deps.config.seriesBodyLimit;
      const declared = Number(c.req.header('content-length'));
      if (Number.isFinite(declared) && declared > max) throw new ApiError(413, 'too_large', `The request body is over the ${max}-byte limit.`);
      if (!/^multipart\/related\b/i.test(c.req.header('content-type') ?? '')) throw new ApiError(415, 'unsupported_type', 'STOW-RS takes multipart/related; type="application/dicom".');
      body = c.req.raw.body?.pipeThrough(limitStream(max)) ?? null;
    }
    const res = await forward(pacs, {
      method, path: allowed.path, query: forwardedQuery(new URL(target).searchParams),
      accept: c.req.header('accept'), contentType: c.req.header('content-type'), body, signal: c.req.raw.signal,
    });
    if (res.ok && isAudited(allowed.action)) {
      await writeAudit(deps.db, user.id, allowed.action, allowed.studyUid, MODEL_INFO.version);
    }
    return res;
  });
  return app;
}

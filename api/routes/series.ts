// POST /api/series: many DICOM files in one multipart request → one answer per series (models/node/series.ts, the
// same code as `npm run classify -- --series`), stored as one history row per series. The body is read part by part
// (api/series/multipart.ts) under its own limit: each file goes to the decoders as soon as it has arrived, a few at a
// time, and its bytes are dropped once answered. GET /api/series: the caller's series rows, newest first.
import { createRoute, z } from '@hono/zod-openapi';
import { analyseSeriesFile, countSkips, mapBounded, seriesAnswers } from '../../models/node/series.ts';
import { requireSession } from '../auth/require-session.ts';
import { ApiError } from '../errors.ts';
import { detectLimit } from '../limits/detect-limit.ts';
import { listSeriesResults, saveSeriesResults } from '../series-results.ts';
import { boundaryOf, fileParts } from '../series/multipart.ts';
import { SeriesResponseSchema, SeriesRowSchema, SeriesUploadSchema } from '../series-schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

/** Files decoded at once: enough to keep the detect workers' batches full, few enough to bound memory. */
const IN_FLIGHT = 8;
/** Most file parts in one request. */
export const MAX_SERIES_FILES = 5000;

export function seriesRoutes() {
  const app = createRouter();
  // Documented here, handled by a plain route below: a validated multipart body would be parsed whole in memory.
  app.openAPIRegistry.registerPath({
    method: 'post', path: '/api/series', summary: 'Read one or more series of DICOM files', security: SECURITY,
    description:
      'Many DICOM files in one multipart/form-data request (any field names, one file a part), read part by part and never held whole: ' +
      'the limit is SERIES_BODY_LIMIT_BYTES (default 200 MiB, 413 too_large beyond) and at most 5000 files. Files are grouped Study → Series ' +
      'by their UIDs and ordered along the slice normal; every slice is analysed, and each series gets one verdict by the model card\'s series ' +
      'rule (Tumor / No Tumor / Uncertain, or Outside validated use when no slice is inside the validated scope, with the reasons counted). ' +
      'Non-DICOM files and DICOM without pixel data (DICOMDIR, SR) are skipped and counted. Each series is stored in the history as one row ' +
      '(a SHA-256 of the Series Instance UID, description, slice count, verdict, model version — no patient data). ?slices=1 adds every slice\'s answer, ' +
      '?heatmap=1 each key slice\'s evidence map (where the evidence was found, scaled by P(tumour); not an outline of the tumour). ' +
      'Rate-limited with POST /detect (one request counts as one).',
    request: {
      query: z.object({ slices: z.enum(['0', '1', 'true', 'false']).optional(), heatmap: z.enum(['0', '1', 'true', 'false']).optional() }),
      body: { content: { 'multipart/form-data': { schema: SeriesUploadSchema } } },
    },
    responses: {
      200: { description: 'One answer per series', content: { 'application/json': { schema: SeriesResponseSchema } } },
      ...errorResponses(400, 401, 403, 413, 415, 429),
    },
  });
  app.post('/api/series', requireSession, detectLimit, async (c) => {
    const { deps, user } = c.var;
    const boundary = boundaryOf(c.req.header('content-type'));
    if (!boundary) throw new ApiError(415, 'unsupported_type', 'Send the DICOM files as multipart/form-data (one file a part, any field names).');
    const limit = deps.config.seriesBodyLimit;
    const declared = Number(c.req.header('content-length'));
    if (Number.isFinite(declared) && declared > limit) throw new ApiError(413, 'too_large', `The request body is over the ${limit}-byte limit for a series.`);
    const started = performance.now();
    const heatmap = ['1', 'true'].includes(c.req.query('heatmap') ?? '');
    const detect = (bytes: Uint8Array) => deps.classifier.detect(bytes, { heatmap });
    const outcomes = await mapBounded(fileParts(c.req.raw.body, boundary, { maxBytes: limit, maxParts: MAX_SERIES_FILES }), IN_FLIGHT, async (part) => {
      const name = part.filename || part.field || 'file';
      if (part.bytes.length === 0) return { slices: [], skipped: 'empty_file' };
      return analyseSeriesFile(name, part.bytes, detect);
    });
    if (outcomes.length === 0) throw new ApiError(400, 'missing_file', 'The form holds no file: send the DICOM files of the series, one a part.');
    const answered = seriesAnswers(outcomes.flatMap((o) => o.slices));
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const rows = await saveSeriesResults(deps.db, user.id, answered.map((a) => a.series), ms);
    const withSlices = ['1', 'true'].includes(c.req.query('slices') ?? '');
    return c.json({
      series: answered.map((a, i) => ({ id: rows[i]!.id, ...a.series })),
      files: outcomes.length,
      skipped: countSkips(outcomes),
      ...(withSlices ? { sliceAnswers: answered.flatMap((a) => a.slices) } : {}),
      ms,
    }, 200);
  });

  app.openapi(
    createRoute({
      method: 'get', path: '/api/series', summary: 'Your series history, newest first', security: SECURITY,
      middleware: [requireSession] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: { 200: { description: 'Series rows', content: { 'application/json': { schema: z.object({ items: z.array(SeriesRowSchema) }) } } }, ...errorResponses(400, 401) },
    }),
    async (c) => c.json({ items: await listSeriesResults(c.var.deps.db, c.var.user.id, c.req.valid('query').limit) }, 200),
  );
  return app;
}

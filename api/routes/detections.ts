// GET /api/detections (own history, newest first, cursor-paginated) and POST (results computed on the device).
import { createRoute } from '@hono/zod-openapi';
import { requireSession } from '../auth/require-session.ts';
import { decodeCursor, listDetections, saveDetection } from '../detections.ts';
import { ApiError } from '../errors.ts';
import { DetectionPageSchema, DetectionSchema, NewDetectionSchema, PageQuerySchema } from '../schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export function detectionRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get', path: '/api/detections', summary: 'Your detections, newest first', security: SECURITY,
      middleware: [requireSession] as const,
      request: { query: PageQuerySchema },
      responses: { 200: json(DetectionPageSchema, 'One page; pass nextCursor as cursor for the next'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const after = cursor ? decodeCursor(cursor) : null;
      if (cursor && !after) throw new ApiError(400, 'invalid_cursor', 'cursor is not one this API returned.');
      return c.json(await listDetections(c.var.deps.db, c.var.user.id, limit, after), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/detections', summary: 'Store a result computed on the device (idempotent by id)', security: SECURITY,
      middleware: [requireSession] as const,
      request: { body: { required: true, content: { 'application/json': { schema: NewDetectionSchema } } } },
      responses: {
        201: json(DetectionSchema, 'Stored'),
        200: json(DetectionSchema, 'Already stored under this id: the stored one, unchanged'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const d = c.req.valid('json');
      const { detection, created } = await saveDetection(c.var.deps.db, {
        userId: c.var.user.id, clientId: d.id, source: 'device', createdAt: d.createdAt ? new Date(d.createdAt) : undefined,
        result: d.result, label: d.label, probabilities: d.probabilities, tumorProbability: d.tumorProbability,
        uncertain: d.uncertain, model: d.model, imageSha256: d.imageSha256, ms: d.ms ?? null,
      });
      return created ? c.json(detection, 201) : c.json(detection, 200);
    },
  );

  return app;
}

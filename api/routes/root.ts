// GET / and GET /health/live: the process answers (browsers asking GET / for HTML get the PWA, see static.ts);
// GET /health: the same after checking the database (orchestrators' readiness; liveness uses /health/live).
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import pkg from '../../package.json';
import { MODEL_INFO } from '../../models/core/model.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { StatusSchema } from '../schemas.ts';
import { createRouter, errorResponses } from './openapi-app.ts';

const status = (c: Context<AppEnv>) => ({
  name: 'BigBrain API',
  status: 'ok' as const,
  version: pkg.version,
  model: MODEL_INFO,
  database: c.var.deps.db.driver,
  message: 'This is home!' as const, // the original API's whole answer to GET /
});

const ok = { 200: { description: 'The API is up', content: { 'application/json': { schema: StatusSchema } } } };

export function rootRoutes() {
  const app = createRouter();
  app.openapi(createRoute({ method: 'get', path: '/', summary: 'API status (browsers get the PWA)', responses: ok }), (c) => c.json(status(c), 200));
  app.openapi(createRoute({ method: 'get', path: '/health/live', summary: 'The process answers (no database check: a liveness probe)', responses: ok }), (c) => c.json(status(c), 200));
  app.openapi(
    createRoute({ method: 'get', path: '/health', summary: 'API status, after checking the database', responses: { ...ok, ...errorResponses(503) } }),
    async (c) => {
      try {
        await c.var.deps.db.query('select 1');
      } catch {
        throw new ApiError(503, 'database_unavailable', 'The database is unreachable; try again shortly.');
      }
      return c.json(status(c), 200);
    },
  );
  return app;
}

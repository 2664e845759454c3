// GET /api/openapi.json: generated from the zod schemas the routes validate with.
import type { OpenAPIHono } from '@hono/zod-openapi';
import pkg from '../../package.json';
import type { AppEnv } from '../env.ts';

export function openapiRoute(app: OpenAPIHono<AppEnv>): void {
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'BigBrain API',
      version: pkg.version,
      description: 'Brain-MRI tumour detection. Errors are always JSON {error, code}.',
    },
  });
}

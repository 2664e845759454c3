// GET /api/me: who the token belongs to.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSession } from '../auth/require-session.ts';
import { UserSchema } from '../schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

export function meRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get', path: '/api/me', summary: 'The signed-in user', security: SECURITY,
      middleware: [requireSession] as const,
      responses: { 200: { description: 'The user', content: { 'application/json': { schema: UserSchema.extend({ pacs: z.boolean().openapi({ description: 'Whether a PACS is configured (DICOMWEB_URL): /api/dicomweb/* forwards to it' }) }) } } }, ...errorResponses(401) },
    }),
    (c) => {
      const { id, email, createdAt } = c.var.user;
      return c.json({ id, email, createdAt: createdAt.toISOString(), pacs: c.var.deps.config.dicomweb !== undefined }, 200);
    },
  );
  return app;
}

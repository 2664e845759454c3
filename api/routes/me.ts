// GET /api/me: who the token belongs to.
import { createRoute } from '@hono/zod-openapi';
import { requireSession } from '../auth/require-session.ts';
import { UserSchema } from '../schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

export function meRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get', path: '/api/me', summary: 'The signed-in user', security: SECURITY,
      middleware: [requireSession] as const,
      responses: { 200: { description: 'The user', content: { 'application/json': { schema: UserSchema } } }, ...errorResponses(401) },
    }),
    (c) => {
      const { id, email, createdAt } = c.var.user;
      return c.json({ id, email, createdAt: createdAt.toISOString() }, 200);
    },
  );
  return app;
}

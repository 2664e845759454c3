// POST /authorization: the original register-or-login. Registers unknown emails only when AUTO_REGISTER is on.
import { createRoute } from '@hono/zod-openapi';
import { findUserByEmail, insertUser } from '../auth/users.ts';
import { AccessTokenSchema } from '../schemas.ts';
import { credentialsBody, login, startSession } from './auth.ts';
import { createRouter, errorResponses } from './openapi-app.ts';

export function authorizationRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'post', path: '/authorization', summary: 'Register on first use, log in afterwards (the original contract; AUTO_REGISTER)',
      request: { body: credentialsBody },
      responses: { 200: { description: 'Signed in', content: { 'application/json': { schema: AccessTokenSchema } } }, ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const { db, config } = c.var.deps;
      let user = await findUserByEmail(db, email);
      if (!user && config.autoRegister) {
        // A concurrent sign-up may win the insert; then this is a login against its account.
        user = (await insertUser(db, email, await c.var.deps.passwords.hash(password))) ?? (await login(c, email, password));
      } else {
        user = await login(c, email, password);
      }
      const { accessToken } = await startSession(c, user);
      return c.json({ accessToken }, 200);
    },
  );

  return app;
}

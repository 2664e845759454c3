// Explicit accounts and sessions for the PWA: register, login, logout.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clearSessionCookie, setSessionCookie } from '../auth/cookie.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { requireSession } from '../auth/require-session.ts';
import { findUserByEmail, insertUser, type UserWithHash } from '../auth/users.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { CredentialsSchema, SessionSchema } from '../schemas.ts';
import { createRouter, errorResponses, SECURITY } from './openapi-app.ts';

export const credentialsBody = { required: true, content: { 'application/json': { schema: CredentialsSchema } } };
const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const wrongCredentials = () => new ApiError(401, 'invalid_credentials', 'Wrong email or password.');

export async function startSession(c: Context<AppEnv>, user: UserWithHash) {
  const { token, session } = await c.var.deps.sessions.create(user.id);
  setSessionCookie(c, token, session.expiresAt, c.var.deps.config.cookieSecure);
  return { accessToken: token, expiresAt: session.expiresAt.toISOString(), user: { id: user.id, email: user.email } };
}

export async function login(c: Context<AppEnv>, email: string, password: string): Promise<UserWithHash> {
  const user = await findUserByEmail(c.var.deps.db, email);
  if (!user || !(await verifyPassword(user.passwordHash, password))) throw wrongCredentials();
  return user;
}

export function authRoutes() {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'post', path: '/api/auth/register', summary: 'Create an account and sign in',
      request: { body: credentialsBody },
      responses: { 201: json(SessionSchema, 'Account created'), ...errorResponses(400, 409) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const user = await insertUser(c.var.deps.db, email, await hashPassword(password));
      if (!user) throw new ApiError(409, 'email_taken', 'An account with this email already exists: log in instead.');
      return c.json(await startSession(c, user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/auth/login', summary: 'Sign in',
      request: { body: credentialsBody },
      responses: { 200: json(SessionSchema, 'Signed in'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      return c.json(await startSession(c, await login(c, email, password)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/auth/logout', summary: 'Revoke the current session', security: SECURITY,
      middleware: [requireSession] as const,
      responses: { 204: { description: 'Signed out' }, ...errorResponses(401) },
    }),
    async (c) => {
      await c.var.deps.sessions.revoke(c.var.session.id);
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  return app;
}

// Explicit accounts and sessions for the PWA: register, login, logout.
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clearSessionCookie, setSessionCookie } from '../auth/cookie.ts';
import { assertLoginAllowed, recordLoginFailure, recordLoginSuccess } from '../auth/login-limits.ts';
import { dummyHash } from '../auth/password.ts';
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

/**
 * Checks the failed-login limits, then the password. Unknown emails take the same path as wrong passwords:
 * one verification (against a dummy hash), one failure counted, the same 401.
 */
export async function login(c: Context<AppEnv>, email: string, password: string): Promise<UserWithHash> {
  const { db, passwords } = c.var.deps;
  await assertLoginAllowed(c, email);
  const user = await findUserByEmail(db, email);
  const ok = await passwords.verify(user?.passwordHash ?? (await dummyHash(passwords)), password);
  if (!user || !ok) {
    await recordLoginFailure(c, email);
    throw wrongCredentials();
  }
  await recordLoginSuccess(c, email);
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
      const user = await insertUser(c.var.deps.db, email, await c.var.deps.passwords.hash(password));
      if (!user) throw new ApiError(409, 'email_taken', 'An account with this email already exists: log in instead.');
      return c.json(await startSession(c, user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/auth/login', summary: 'Sign in',
      request: { body: credentialsBody },
      responses: { 200: json(SessionSchema, 'Signed in'), ...errorResponses(400, 401, 429) },
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

  app.openapi(
    createRoute({
      method: 'post', path: '/api/auth/logout-all', summary: 'Revoke every session of the signed-in user (logout everywhere)', security: SECURITY,
      middleware: [requireSession] as const,
      responses: { 204: { description: 'Every session of this user revoked' }, ...errorResponses(401, 403) },
    }),
    async (c) => {
      await c.var.deps.sessions.revokeAllOf(c.var.user.id);
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  );

  return app;
}

// The Hono app, built from injected dependencies so tests can hand it a throw-away database and a stub model.
import { bodyLimit } from 'hono/body-limit';
import type { Detector } from '../models/node/server-classifier.ts';
import { argon2Passwords, type Passwords } from './auth/password.ts';
import { createSessionStore } from './auth/sessions.ts';
import type { Config } from './config.ts';
import type { Db } from './db/types.ts';
import type { Deps } from './env.ts';
import { createDetectionLog } from './detections.ts';
import { ApiError, handleError, handleNotFound } from './errors.ts';
import { securityHeaders } from './headers.ts';
import { memoryCounter, type Counter } from './limits/counter.ts';
import { dbCounter } from './limits/db-counter.ts';
import { authRoutes } from './routes/auth.ts';
import { authorizationRoutes } from './routes/authorization.ts';
import { detectRoutes } from './routes/detect.ts';
import { detectionRoutes } from './routes/detections.ts';
import { dicomwebRoutes } from './routes/dicomweb.ts';
import { meRoutes } from './routes/me.ts';
import { openapiRoute } from './routes/openapi.ts';
import { rootRoutes } from './routes/root.ts';
import { seriesRoutes } from './routes/series.ts';
import { createRouter } from './routes/openapi-app.ts';
import { ErrorSchema } from './schemas.ts';
import { serveStatic } from './static.ts';

export interface AppOptions {
  db: Db;
  /** detect(bytes) (the server's worker threads), or analyse() of preprocessed images (inline). */
  classifier: Detector;
  config: Config;
  /** The clock (tests move it to expire sessions). */
  now?: () => Date;
  /** Password hashing (tests count verifications). */
  passwords?: Passwords;
  /** Failed-login counters; default: in the database. */
  loginCounter?: Counter;
}

/** Routes whose body is a small JSON document (credentials): a longer body is a malformed request. */
const CREDENTIAL_ROUTES = ['/authorization', '/api/authorization', '/api/auth/*'];

export function createApp({ db, classifier, config, now = () => new Date(), passwords = argon2Passwords, loginCounter = dbCounter(db) }: AppOptions) {
  const deps: Deps = {
    db, classifier, config, now, passwords, loginCounter,
    sessions: createSessionStore(db, { days: config.sessionDays, cacheMs: config.sessionCacheMs, now }),
    detectCounter: memoryCounter(),
    detectionLog: createDetectionLog(db),
  };
  const app = createRouter();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use('*', securityHeaders);
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  const requestLimit = bodyLimit({
    maxSize: config.bodyLimit,
    onError: () => { throw new ApiError(413, 'too_large', `The request body is over the ${config.bodyLimit}-byte limit.`); },
  });
  // POST /api/series has its own, larger limit, counted while its parts are read (api/series/multipart.ts); so has
  // STOW-RS through /api/dicomweb (counted while streamed to the PACS).
  app.use('*', (c, next) => (c.req.method === 'POST' && (c.req.path === '/api/series' || c.req.path.startsWith('/api/dicomweb/')) ? next() : requestLimit(c, next)));
  for (const path of CREDENTIAL_ROUTES) {
    app.use(path, bodyLimit({
      maxSize: config.jsonBodyLimit,
      onError: () => { throw new ApiError(400, 'invalid_request', `The JSON body is over ${config.jsonBodyLimit} bytes: send {"email", "password"} only.`); },
    }));
  }
  app.use('*', serveStatic(config));

  // The original contract at the root, and the same routes under /api.
  for (const prefix of ['/', '/api']) {
    app.route(prefix, rootRoutes());
    app.route(prefix, authorizationRoutes());
    app.route(prefix, detectRoutes());
  }
  app.route('/', authRoutes());
  app.route('/', meRoutes());
  app.route('/', detectionRoutes());
  app.route('/', seriesRoutes());
  app.route('/', dicomwebRoutes());

  app.openAPIRegistry.register('Error', ErrorSchema);
  app.openAPIRegistry.registerComponent('securitySchemes', 'authToken', { type: 'apiKey', in: 'header', name: 'auth-token' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', { type: 'apiKey', in: 'cookie', name: 'bigbrain_session' });
  openapiRoute(app);
  return app;
}

export type App = ReturnType<typeof createApp>;

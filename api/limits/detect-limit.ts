// POST /detect per user: at most DETECT_PER_USER analyses per window, counted in memory (per instance:
// with n instances a user gets up to n × the limit). Over it → 429 rate_limited with Retry-After.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { retryAfterSeconds } from './counter.ts';

export const detectLimit = createMiddleware<AppEnv>(async (c, next) => {
  const { config, detectCounter, now } = c.var.deps;
  const limit = config.limits.detectPerUser;
  if (limit.max > 0) {
    const t = now();
    const count = await detectCounter.hit(`detect:${c.var.user.id}`, limit, t);
    if (count.count > limit.max) {
      const seconds = retryAfterSeconds(count, t);
      throw new ApiError(429, 'rate_limited', `At most ${limit.max} analyses per ${limit.windowMs / 1000} s: try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
    }
  }
  await next();
});

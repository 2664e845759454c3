// Failed-login limits, kept in the database so they hold across instances. Policy:
//  - per (email, client address): tight (default 5 per 15 min): a guesser is stopped quickly, and the real
//    user, who signs in from another address, is not affected by it;
//  - per email from anywhere: looser (50 per 15 min): bounds a guesser that rotates addresses;
//  - per client address, any email: 100 per 15 min: credential stuffing.
// Fixed windows: every lock-out ends when its window does, so nobody can lock a user out for good; keeping
// the per-email limit tripped costs an attacker a steady stream of failures and still gives them no more
// than `max` guesses a window. A successful login clears the (email, address) count.
import type { Context } from 'hono';
import type { Limit } from '../config.ts';
import { clientAddress } from '../client-address.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { isOver, retryAfterSeconds, type Count } from '../limits/counter.ts';

interface Check {
  key: string;
  limit: Limit;
}

function checksOf(c: Context<AppEnv>, email: string): Check[] {
  const { limits, trustProxy } = c.var.deps.config;
  const ip = clientAddress(c, trustProxy);
  return [
    { key: `login:email-ip:${email}\n${ip}`, limit: limits.loginPerEmailIp },
    { key: `login:email:${email}`, limit: limits.loginPerEmail },
    { key: `login:ip:${ip}`, limit: limits.loginPerIp },
  ].filter((ch) => ch.limit.max > 0);
}

/** 429 too_many_attempts (with Retry-After) when any failed-login limit is reached. */
export async function assertLoginAllowed(c: Context<AppEnv>, email: string): Promise<void> {
  const { loginCounter, now } = c.var.deps;
  const t = now();
  let worst: Count | null = null;
  for (const { key, limit } of checksOf(c, email)) {
    const count = await loginCounter.peek(key, limit, t);
    if (isOver(count, limit) && (!worst || count.resetAt > worst.resetAt)) worst = count;
  }
  if (worst) {
    const seconds = retryAfterSeconds(worst, t);
    throw new ApiError(429, 'too_many_attempts', `Too many failed sign-ins: try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  }
}

export async function recordLoginFailure(c: Context<AppEnv>, email: string): Promise<void> {
  const { loginCounter, now } = c.var.deps;
  const t = now();
  for (const { key, limit } of checksOf(c, email)) await loginCounter.hit(key, limit, t);
}

export async function recordLoginSuccess(c: Context<AppEnv>, email: string): Promise<void> {
  const [pair] = checksOf(c, email);
  if (pair?.key.startsWith('login:email-ip:')) await c.var.deps.loginCounter.reset(pair.key);
}

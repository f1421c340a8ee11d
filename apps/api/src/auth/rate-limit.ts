import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '@babelfish/core';

const WINDOW_SECONDS = 60;

// One round trip per request (EVALSHA once loaded) instead of MULTI/INCR/EXPIRE/EXEC: the
// expiry is set only by the first hit of a window, which is all a fixed window needs.
const INCREMENT_SCRIPT = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

type WithIncrement = Redis & { babelfishIncrementWindow?: (key: string, ttlSeconds: number) => Promise<number> };

function incrementWindow(redis: Redis, key: string): Promise<number> {
  const client = redis as WithIncrement;
  if (!client.babelfishIncrementWindow) client.defineCommand('babelfishIncrementWindow', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
  return client.babelfishIncrementWindow!(key, WINDOW_SECONDS * 2);
}

/**
 * Fixed-window rate limit in Redis (INCR + EXPIRE), keyed by caller and class of request, so
 * the limit holds across API replicas. Over the limit: 429 with Retry-After (seconds to the
 * next window). `identify` returns the caller key (API key id, or IP for unauthenticated routes).
 */
export function rateLimit(options: { redis: Redis; prefix: string; name: string; perMinute: number; identify: (locals: Record<string, unknown>, ip: string) => string }): RequestHandler {
  return async (req, res, next) => {
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
    const key = `${options.prefix}:ratelimit:${options.name}:${options.identify(res.locals, req.ip ?? 'unknown')}:${window}`;
    const count = await incrementWindow(options.redis, key);
    const remaining = Math.max(0, options.perMinute - count);
    res.setHeader('RateLimit-Limit', String(options.perMinute));
    res.setHeader('RateLimit-Remaining', String(remaining));
    if (count > options.perMinute) {
      const retryAfter = (window + 1) * WINDOW_SECONDS - Math.floor(Date.now() / 1000);
      res.setHeader('Retry-After', String(Math.max(1, retryAfter)));
      throw new AppError('RATE_LIMITED', `Too many ${options.name} requests: the limit is ${options.perMinute} a minute; retry in ${retryAfter} s`);
    }
    next();
  };
}

import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Principal } from '@babelfish/db';

export const SESSION_COOKIE = 'bf_session';

/**
 * Dashboard sessions: a browser logs in once with an API key and then carries an HttpOnly
 * cookie. Sessions live in Redis (shared by every API replica) under a hash of the cookie value,
 * so a Redis dump does not hand out live cookies.
 */
export function createSessionStore(redis: Redis, prefix: string, ttlSeconds: number) {
  const keyOf = (token: string) => `${prefix}:session:${createHash('sha256').update(token).digest('hex')}`;
  return {
    ttlSeconds,
    async create(principal: Principal): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await redis.set(keyOf(token), JSON.stringify(principal), 'EX', ttlSeconds);
      return token;
    },
    async get(token: string): Promise<Principal | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const value = await redis.get(keyOf(token));
      return value ? (JSON.parse(value) as Principal) : undefined;
    },
    async destroy(token: string): Promise<void> {
      await redis.del(keyOf(token));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** The value of one cookie from a Cookie header (no cookie-parser dependency for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined; // a malformed %-escape is no session, not a server error
    }
  }
  return undefined;
}

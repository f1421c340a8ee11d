import type { Redis } from 'ioredis';
import { AppError } from '@babelfish/core';

const PENDING = 'pending';
const TTL_SECONDS = 24 * 3600;
const validKey = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key for job submission: a client that retries a POST (timeout, dropped
 * connection) gets the job its first attempt created instead of a second job. Keys live in Redis
 * for a day, scoped to the caller, so they hold across API replicas.
 */
export function createIdempotency(redis: Redis, prefix: string) {
  const redisKey = (scope: string, key: string) => `${prefix}:idempotency:${scope}:${key}`;

  return {
    /** Claims the key; returns the earlier job id when this is a replay. */
    async begin(scope: string, key: string): Promise<{ replayOf?: string }> {
      if (!validKey.test(key)) throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1–255 printable ASCII characters');
      const claimed = await redis.set(redisKey(scope, key), PENDING, 'EX', TTL_SECONDS, 'NX');
      if (claimed === 'OK') return {};
      const existing = await redis.get(redisKey(scope, key));
      if (existing && existing !== PENDING) return { replayOf: existing };
      throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still being processed; retry in a moment');
    },
    async complete(scope: string, key: string, jobId: string): Promise<void> {
      await redis.set(redisKey(scope, key), jobId, 'EX', TTL_SECONDS);
    },
    /** The first attempt failed: let a retry with the same key try again. */
    async release(scope: string, key: string): Promise<void> {
      await redis.del(redisKey(scope, key));
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;

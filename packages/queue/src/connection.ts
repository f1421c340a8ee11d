import { Redis } from 'ioredis';

/**
 * BullMQ workers need maxRetriesPerRequest: null (they block on Redis and must not give up);
 * the same settings suit queue producers and pub/sub.
 */
export function createRedisConnection(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false });
}

/**
 * For the API's request path (queueing jobs, sessions, rate limits, idempotency): a request must
 * not wait for Redis to come back. With the offline queue off a command fails at once while
 * disconnected, and one sent to a Redis that stopped answering fails after `commandTimeoutMs`,
 * so the client gets a 503 in about that time. A command that was never sent can never run
 * later either, so nothing the client was told had failed happens behind its back.
 */
export function createRequestRedisConnection(url: string, name: string, commandTimeoutMs = 2000): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    enableReadyCheck: true,
    connectionName: name,
    lazyConnect: false,
  });
}

/** Resolves once the connection is ready, or after `timeoutMs` (the caller goes on degraded). */
export async function waitForRedisReady(connection: Redis, timeoutMs: number): Promise<boolean> {
  if (connection.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    connection.once('ready', onReady);
  });
}

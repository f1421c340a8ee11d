import { Redis } from 'ioredis';

/**
 * BullMQ workers need maxRetriesPerRequest: null (they block on Redis and must not give up);
 * the same settings suit queue producers and pub/sub.
 */
export function createRedisConnection(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false });
}

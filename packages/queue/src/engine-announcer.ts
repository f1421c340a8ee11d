import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { EngineAvailability } from '@babelfish/ml';
import type { Redis } from 'ioredis';
import { engineCatalogueKey, type PublishedEngines } from './engine-catalogue';

export type EngineAnnouncer = { workerId: string; stop: () => Promise<void> };

/**
 * A translate worker's side of the engine catalogue: writes what `list()` offers under this
 * worker's key with a TTL, and rewrites it every third of the TTL (so one missed refresh does
 * not drop the entry, and a change, e.g. a model appearing in the cache, shows within that time).
 * Resolves once the first entry is written: the worker is offered before it takes jobs.
 */
export async function startEngineAnnouncer(options: {
  connection: Redis;
  prefix: string;
  list: () => Promise<EngineAvailability[]>;
  ttlMs: number;
  onError: (error: unknown) => void;
}): Promise<EngineAnnouncer> {
  // Host name and pid for whoever reads Redis by hand; the random part keeps two workers apart
  // when containers share a host name and pid 1.
  const workerId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const key = engineCatalogueKey(options.prefix, workerId);
  const publish = async () => {
    const entry: PublishedEngines = { workerId, engines: await options.list(), publishedAt: new Date().toISOString() };
    await options.connection.set(key, JSON.stringify(entry), 'PX', options.ttlMs);
  };
  await publish();
  let stopped = false;
  const timer = setInterval(() => {
    if (!stopped) publish().catch(options.onError);
  }, Math.max(250, Math.floor(options.ttlMs / 3)));
  timer.unref();
  return {
    workerId,
    /** Withdraws the entry at once (a graceful stop), instead of waiting for the TTL. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await options.connection.del(key).catch(options.onError);
    },
  };
}

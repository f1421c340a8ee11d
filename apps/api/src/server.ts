import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from '@babelfish/config';
import { createApiKeyRepository, createJobRepository, createSubtitleRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { configureModels, createEngineRegistry } from '@babelfish/ml';
import { cloudWatchSink, createJobQueues, createRedisConnection, startQueueDepthPublisher } from '@babelfish/queue';
import { createStorage } from '@babelfish/storage';
import { createApp } from './app';
import type { ApiDeps } from './deps';
import { createAuthenticator } from './auth/authenticate';
import { createSessionStore } from './auth/sessions';
import { createIdempotency } from './idempotency';
import { createMetrics } from './metrics';
import { attachRealtime } from './realtime';
import { createReadinessCheck } from './readiness';
import { createUploadSessions } from './uploads/upload-sessions';

export type ApiServer = { url: string; port: number; close: (drainMs?: number) => Promise<void> };

export async function startApiServer(config: Config, logger: Logger): Promise<ApiServer> {
  configureModels({ modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: config.models.allowRemote });
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const connection = createRedisConnection(config.redisUrl, 'babelfish-api');
  const subscriber = createRedisConnection(config.redisUrl, 'babelfish-api-progress');
  const uploadDir = path.join(os.tmpdir(), 'babelfish-uploads');
  fs.mkdirSync(uploadDir, { recursive: true, mode: 0o700 });

  const jobs = createJobRepository(database.db);
  const storage = createStorage(config);
  const queues = createJobQueues({ connection, prefix: config.queuePrefix, attempts: config.worker.attempts });
  const apiKeys = createApiKeyRepository(database.db);
  const sessions = createSessionStore(connection, config.queuePrefix, config.auth.sessionTtlSeconds);
  const authenticate = createAuthenticator({ mode: config.auth.mode, keys: apiKeys, sessions });
  const deps: ApiDeps = {
    config,
    jobs,
    apiKeys,
    sessions,
    authenticate,
    redis: connection,
    subtitles: createSubtitleRepository(database.db, { maxVersions: config.subtitles.maxVersions }),
    // Staged in the data dir (not /tmp) so a resumable upload survives an API restart.
    uploads: createUploadSessions(path.join(config.dataDir, 'uploads'), config.http.maxUploadBytes),
    storage,
    queues,
    idempotency: createIdempotency(connection, config.queuePrefix),
    metrics: createMetrics({ jobs, queues }),
    readiness: createReadinessCheck({ config, db: database.db, redis: connection, storage }),
    engines: createEngineRegistry({
      modelsDir: config.models.dir,
      allowRemote: config.models.allowRemote,
      whisperModelId: config.models.whisper,
      whisperDtype: config.models.whisperDtype,
    }),
    logger,
    uploadDir,
  };
  const server = http.createServer(createApp(deps));
  // Abandoned resumable uploads are dropped after a day, checked hourly (and at start).
  const sweep = () => deps.uploads.sweepExpired(24 * 3600 * 1000).catch((error) => logger.warn('upload sweep failed', { error: String(error) }));
  void sweep();
  const sweeper = setInterval(sweep, 3600 * 1000).unref();
  const depthPublisher = config.queueMetricsCloudWatch
    ? startQueueDepthPublisher({
        queues: queues.queues,
        sink: await cloudWatchSink(config.storage.s3?.region),
        onError: (error) => logger.warn('queue depth publish failed', { error: String(error) }),
      })
    : undefined;
  const realtime = await attachRealtime({
    server,
    subscriber,
    prefix: config.queuePrefix,
    jobs,
    authenticate,
    logger,
    corsOrigins: config.http.corsOrigins,
    onProgress: (event) => deps.metrics.observeProgress(event),
  });
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info('api listening', { port });

  return {
    url: `http://${host}:${port}`,
    port,
    /** Stops taking connections, lets in-flight requests finish (bounded), then closes clients. */
    async close(drainMs = 10_000) {
      clearInterval(sweeper);
      depthPublisher?.stop();
      await realtime.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), drainMs);
      await closed;
      clearTimeout(forced);
      await deps.queues.close();
      connection.disconnect();
      subscriber.disconnect();
      await database.close();
    },
  };
}

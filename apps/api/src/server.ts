import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Config } from '@babelfish/config';
import { createApiKeyRepository, createWebhookRepository, createJobRepository, createSubtitleRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { configureModels, createEngineRegistry } from '@babelfish/ml';
import { cloudWatchSink, createEngineCatalogue, createJobQueues, createRedisConnection, createRequestRedisConnection, startQueueDepthPublisher, waitForRedisReady } from '@babelfish/queue';
import { createStorage } from '@babelfish/storage';
import { createApp } from './app';
import type { ApiDeps } from './deps';
import { createAuthenticator } from './auth/authenticate';
import { createJobWaiter } from './compat/job-waiter';
import { createSessionStore } from './auth/sessions';
import { createIdempotency } from './idempotency';
import { createJobReadCache } from './job-read-cache';
import { createMetrics } from './metrics';
import { attachRealtime } from './realtime';
import { createReadinessCheck } from './readiness';
import { createUploadSessions } from './uploads/upload-sessions';
import { openReceiveDir } from './uploads/receive-dir';

/** `app` is exposed for introspection (the OpenAPI test compares its routes with the document). */
export type ApiServer = { url: string; port: number; app: Express; close: (drainMs?: number) => Promise<void> };

export async function startApiServer(config: Config, logger: Logger): Promise<ApiServer> {
  configureModels({ modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: config.models.allowRemote, hubUrl: config.models.hubUrl });
  const database = openDatabase(config.databaseUrl, { onIdleConnectionError: (error) => logger.warn('database connection dropped; the pool reconnects on the next query', { error: error.message }) });
  await migrateToLatest(database.db);
  const connection = createRequestRedisConnection(config.redisUrl, 'babelfish-api', config.redisCommandTimeoutMs);
  // Errors are reported per request (503); the connection's own events only need a log line.
  connection.on('error', (error) => logger.warn('redis connection error', { error: error.message }));
  if (!(await waitForRedisReady(connection, 5000))) logger.warn('redis is not answering; requests that need it get 503 until it does');
  const subscriber = createRedisConnection(config.redisUrl, 'babelfish-api-progress');
  subscriber.on('error', (error) => logger.warn('redis subscriber connection error', { error: error.message }));
  const receiveDir = await openReceiveDir(config.uploadTempDir ?? path.join(os.tmpdir(), 'babelfish-uploads'), logger);
  const uploadDir = receiveDir.dir;

  const jobReads = createJobReadCache(createJobRepository(database.db));
  const jobs = jobReads.repository;
  const storage = createStorage(config);
  const queues = createJobQueues({
    connection,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    onError: (error) => logger.warn('queue connection error', { error: error.message }),
  });
  const apiKeys = createApiKeyRepository(database.db);
  const sessions = createSessionStore(connection, config.queuePrefix, config.auth.sessionTtlSeconds);
  const authenticate = createAuthenticator({ mode: config.auth.mode, keys: apiKeys, sessions });
  const deps: ApiDeps = {
    config,
    jobs,
    jobReads,
    apiKeys,
    webhooks: createWebhookRepository(database.db),
    sessions,
    authenticate,
    redis: connection,
    subtitles: createSubtitleRepository(database.db, { maxVersions: config.subtitles.maxVersions }),
    // Staged in the media storage, so any replica takes any chunk and an upload survives restarts.
    uploads: createUploadSessions(storage, { maxBytes: config.http.maxUploadBytes, receiveDir: uploadDir }),
    storage,
    queues,
    idempotency: createIdempotency(connection, config.queuePrefix),
    metrics: createMetrics({ jobs, queues }),
    readiness: createReadinessCheck({ config, db: database.db, redis: connection, storage }),
    // The API never translates. By default it checks pairs against what running translate
    // workers publish (its image carries no Apertium or models); `local` uses its own engines.
    engines:
      config.engineCatalogue === 'workers'
        ? createEngineCatalogue({ connection, prefix: config.queuePrefix })
        : createEngineRegistry({
      modelsDir: config.models.dir,
      allowRemote: config.models.allowRemote,
      whisperModelId: config.models.whisper,
      whisperDtype: config.models.whisperDtype,
      llm: config.llm,
    }),
    logger,
    uploadDir,
    jobWaiter: createJobWaiter(jobs),
  };
  const app = createApp(deps);
  const server = http.createServer(app);
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
  // SUBSCRIBE is one of the commands ioredis sends while a connection is still in its handshake;
  // sent then, it puts the connection in subscriber mode before the ready check's INFO, which
  // then fails. Subscribing once the connection is ready (or queued while Redis is down) avoids it.
  await waitForRedisReady(subscriber, 5000);
  const realtime = await attachRealtime({
    server,
    subscriber,
    prefix: config.queuePrefix,
    jobs,
    apiKeys,
    authenticate,
    logger,
    corsOrigins: config.http.corsOrigins,
    onProgress: (event) => {
      jobReads.invalidate(event.jobId);
      deps.metrics.observeProgress(event);
      deps.jobWaiter.notify(event);
    },
    onKeyRevoked: (keyId) => authenticate.forget?.(keyId),
  });
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  logger.info('api listening', { port });

  return {
    url: `http://${host}:${port}`,
    port,
    app,
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
      await receiveDir.close();
    },
  };
}

import { Worker } from 'bullmq';
import type { Config } from '@babelfish/config';
import type { Logger } from '@babelfish/logger';
import type { DownloadListener } from '@babelfish/ml';
import { createServices, resolveConfiguredDevices } from '@babelfish/pipeline';
import { createJobQueues, createProgressPublisher, createRedisConnection, createWebhookQueue, startEngineAnnouncer, subscribeToJobCancellations, type EngineAnnouncer } from '@babelfish/queue';
import { createWebhookRepository } from '@babelfish/db';
import { createJobAnnouncer } from '@babelfish/pipeline';
import { startWebhookDelivery } from './webhook-delivery';
import { watchEventLoop } from './event-loop-watchdog';
import { createProcessors } from './processors';
import { createThreadedTextModels } from './text-model-thread';
import { createThreadedWhisper } from './whisper-thread';

export type RunningWorkers = { close: () => Promise<void> };

/** A model downloading at boot, in the logs: each file as it starts, then every 10% of it. */
function bootDownloadLog(logger: Logger): DownloadListener {
  let lastStep = -1;
  return (progress) => {
    const step = progress.total ? Math.floor((10 * progress.loaded) / progress.total) : 0;
    if (progress.loaded > 0 && step === lastStep) return;
    lastStep = step;
    logger.info('downloading model', { modelId: progress.modelId, file: progress.file, index: progress.index, count: progress.count, percent: step * 10 });
  };
}

/** Starts one BullMQ worker per configured role, all sharing one model set and one database. */
export async function startWorkers(config: Config, logger: Logger): Promise<RunningWorkers> {
  // First, so that a cuda worker without a usable GPU stops before it connects to anything.
  const devices = await resolveConfiguredDevices(config, logger);
  const connection = createRedisConnection(config.redisUrl, 'babelfish-worker');
  const publisher = createProgressPublisher(connection, config.queuePrefix);
  // Whisper runs in a worker_thread so inference never blocks this event loop, which renews the
  // BullMQ job locks (see whisper-thread.ts). One thread per loaded model (WHISPER_MODEL, and at
  // most WHISPER_MAX_LOADED_MODELS in all with those that transcription jobs name), for every role here.
  const models = { modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: config.models.allowRemote, hubUrl: config.models.hubUrl, devices };
  const whisper = createThreadedWhisper(
    {
      modelId: config.models.whisper,
      dtype: config.models.whisperDtype,
      models,
      options: { threads: config.models.whisperThreads, batchSize: config.models.whisperBatch, safeguards: config.models.whisperSafeguards, levers: config.models.whisperRuntime },
      maxLoaded: config.models.whisperMaxLoaded,
    },
    logger,
  );
  // NLLB and Marian likewise run in a thread of their own (text-model-thread.ts), started on first use.
  const textModels = createThreadedTextModels(models, logger);
  const services = await createServices(config, {
    logger,
    publish: (event) => publisher.publish(event),
    whisper: whisper.model,
    textModels: textModels.run,
    devices,
  });
  const queues = createJobQueues({
    connection,
    prefix: config.queuePrefix,
    attempts: config.worker.attempts,
    onError: (error) => logger.warn('queue connection error', { error: String(error) }),
  });
  // Terminal job events go to a queue of their own; every worker process delivers them.
  const webhookQueue = createWebhookQueue({ connection, prefix: config.queuePrefix, retryDelaysMs: config.webhooks.retryDelaysMs });
  services.ctx.announce = createJobAnnouncer({ jobs: services.ctx.jobs, queue: webhookQueue, logger });
  const webhookDelivery = startWebhookDelivery({
    config,
    connection: createRedisConnection(config.redisUrl, 'babelfish-worker-webhook'),
    webhooks: createWebhookRepository(services.database.db),
    logger,
  });
  const { processorFor, onFailed, cancellations, handBack } = createProcessors(services.ctx, queues, config.transcription);
  // A subscribed connection can do nothing else, so cancellations get one of their own.
  const subscriber = createRedisConnection(config.redisUrl, 'babelfish-worker-cancellations');
  subscriber.on('error', (error) => logger.warn('cancellation subscriber error', { error: String(error) }));
  const stopCancellations = await subscribeToJobCancellations(subscriber, config.queuePrefix, (jobId) => {
    if (cancellations.cancel(jobId)) logger.info('canceling a running transcription', { jobId });
  });

  if (config.worker.roles.includes('transcribe')) {
    // Load Whisper before taking jobs, so the first job doesn't pay for it and a missing model fails the boot.
    await services.ctx.whisper(bootDownloadLog(logger));
  }

  const workers = config.worker.roles.map(
    (role) =>
      new Worker(role, processorFor(role), {
        connection: createRedisConnection(config.redisUrl, `babelfish-worker-${role}`),
        prefix: config.queuePrefix,
        concurrency: config.worker.concurrency,
        // Renewed every lockDuration / 2 while the job runs. If this process dies, another worker
        // re-queues the job once the lock has lapsed, at its next stalled check.
        lockDuration: config.worker.lockMs,
        stalledInterval: config.worker.stalledIntervalMs,
        // One crash is recovered by running the job again; a second fails it (a video that kills
        // the worker every time must not take the fleet down in a loop).
        maxStalledCount: 1,
      }),
  );
  for (const worker of workers) {
    const queue = worker.name as (typeof config.worker.roles)[number];
    worker.on('error', (error) => logger.error('worker error', { queue, error: String(error) }));
    worker.on('stalled', (jobId) => logger.warn('job stalled; re-queued for another run', { queue, bullJobId: jobId }));
    worker.on('failed', (job, error) => {
      onFailed(queue, job, error).catch((failure: unknown) =>
        logger.error('could not record a failure', { queue, bullJobId: job?.id, error: String(failure) }),
      );
    });
  }
  // The API checks submissions against what running translate workers offer (it has no engines
  // of its own in its image): publish ours before taking jobs, refreshed until we stop.
  const announcer: EngineAnnouncer | undefined = config.worker.roles.includes('translate')
    ? await startEngineAnnouncer({
        connection,
        prefix: config.queuePrefix,
        list: () => services.ctx.engines.available(),
        ttlMs: config.worker.enginesTtlMs,
        onError: (error) => logger.warn('could not publish engines', { error: String(error) }),
      })
    : undefined;
  // A quarter of the lock: well before a lock could lapse, and far above normal (tens of ms).
  const stopWatchdog = watchEventLoop(logger, { thresholdMs: Math.min(1000, config.worker.lockMs / 4) });
  logger.info('worker started', {
    roles: config.worker.roles,
    prefix: config.queuePrefix,
    lockMs: config.worker.lockMs,
    stalledIntervalMs: config.worker.stalledIntervalMs,
  });

  return {
    /**
     * Stops taking jobs, hands the running transcriptions and muxes back to the queue (another
     * worker takes them at once), lets the short steps finish (their locks still renewed), then
     * closes everything.
     */
    async close() {
      // Withdrawn first: no new submission should count on a worker that is leaving.
      await announcer?.stop();
      // close() marks each worker closing before it returns, so a handed-back job's slot fetches nothing new.
      const closed = Promise.all(workers.map((worker) => worker.close()));
      const stopped = handBack();
      if (stopped > 0) logger.info('handing running jobs back to the queue', { jobs: stopped });
      await closed;
      await webhookDelivery.close();
      await webhookQueue.close();
      await stopCancellations().catch(() => undefined);
      subscriber.disconnect();
      stopWatchdog();
      await queues.close();
      await whisper.close();
      await textModels.close();
      await services.close();
      connection.disconnect();
    },
  };
}

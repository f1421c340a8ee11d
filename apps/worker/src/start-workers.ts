import { Worker } from 'bullmq';
import type { Config } from '@babelfish/config';
import type { Logger } from '@babelfish/logger';
import { createServices } from '@babelfish/pipeline';
import { createJobQueues, createProgressPublisher, createRedisConnection } from '@babelfish/queue';
import { createProcessors } from './processors';

export type RunningWorkers = { close: () => Promise<void> };

/** Starts one BullMQ worker per configured role, all sharing one model set and one database. */
export async function startWorkers(config: Config, logger: Logger): Promise<RunningWorkers> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-worker');
  const publisher = createProgressPublisher(connection, config.queuePrefix);
  const services = await createServices(config, { logger, publish: (event) => publisher.publish(event) });
  const queues = createJobQueues({ connection, prefix: config.queuePrefix, attempts: config.worker.attempts });
  const processorFor = createProcessors(services.ctx, queues);

  if (config.worker.roles.includes('transcribe')) {
    // Load Whisper before taking jobs, so the first job doesn't pay for it and a missing model fails the boot.
    await services.ctx.whisper();
  }

  const workers = config.worker.roles.map(
    (role) =>
      new Worker(role, processorFor(role), {
        connection: createRedisConnection(config.redisUrl, `babelfish-worker-${role}`),
        prefix: config.queuePrefix,
        concurrency: config.worker.concurrency,
        // Whisper on a long video keeps the CPU busy; a generous lock avoids false stalls.
        lockDuration: 120_000,
      }),
  );
  for (const worker of workers) {
    worker.on('error', (error) => logger.error('worker error', { queue: worker.name, error: String(error) }));
  }
  logger.info('worker started', { roles: config.worker.roles, prefix: config.queuePrefix });

  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await queues.close();
      await services.close();
      connection.disconnect();
    },
  };
}

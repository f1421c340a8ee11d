import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '@babelfish/config';
import type { WebhookRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { webhookQueueName, type WebhookJobData } from '@babelfish/queue';
import { deliverWebhook, generateWebhookSecret, parseDestinationPolicy, retryDelayMs } from '@babelfish/webhooks';

/**
 * Delivers queued job events. Each attempt is logged on the job (status, error, duration); a
 * failed attempt throws so BullMQ retries it on the configured schedule, and the last failure
 * is final (the log says so). Every worker process runs this, whatever its roles.
 */
export function startWebhookDelivery(options: {
  config: Config;
  connection: Redis;
  webhooks: WebhookRepository;
  logger: Logger;
}): Worker<WebhookJobData> {
  const { config, webhooks, logger } = options;
  const policy = parseDestinationPolicy(config.webhooks.allowedHosts.join(','));
  const delays = config.webhooks.retryDelaysMs;

  const secretFor = async (keyId: string): Promise<string | undefined> => {
    if (keyId === 'local') return config.webhooks.secret;
    return (await webhooks.settingsFor(keyId, generateWebhookSecret))?.secret;
  };

  const deliver = async (job: Job<WebhookJobData>) => {
    const data = job.data;
    const attempt = job.attemptsMade + 1;
    const secret = await secretFor(data.keyId);
    const outcome = secret
      ? await deliverWebhook({ id: data.messageId, url: data.url, body: data.body, secret }, { policy, timeoutMs: config.webhooks.timeoutMs })
      : { ok: false, error: 'no signing secret (the key is gone, or WEBHOOK_SECRET is unset)', durationMs: 0 };
    await webhooks.recordAttempt({
      jobId: data.jobId,
      messageId: data.messageId,
      event: data.event,
      url: data.url,
      attempt,
      statusCode: outcome.statusCode ?? null,
      error: outcome.error ?? null,
      durationMs: outcome.durationMs,
    });
    if (outcome.ok) {
      logger.info('webhook delivered', { jobId: data.jobId, event: data.event, attempt, statusCode: outcome.statusCode });
      return;
    }
    const final = attempt >= delays.length + 1;
    logger.warn(final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry', { jobId: data.jobId, event: data.event, attempt, error: outcome.error });
    throw new Error(outcome.error ?? 'delivery failed');
  };

  const worker = new Worker<WebhookJobData>(webhookQueueName, deliver, {
    connection: options.connection,
    prefix: config.queuePrefix,
    concurrency: 8,
    settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(delays, attemptsMade) },
  });
  worker.on('error', (error) => logger.error('webhook worker error', { error: String(error) }));
  return worker;
}

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Job events waiting to be delivered to webhooks. Its own queue (not a pipeline role): a
 * delivery is a small HTTP call that every worker process can make, and its retries are spread
 * over a day, unlike a stage's seconds-apart retries.
 */
export const webhookQueueName = 'webhook';

export type WebhookEvent = 'job.completed' | 'job.failed' | 'job.canceled';

export type WebhookJobData = {
  jobId: string;
  event: WebhookEvent;
  /** The webhook-id header: the same on every attempt so receivers can drop duplicates. */
  messageId: string;
  url: string;
  /** Whose secret signs it: an API key id, or "local" for AUTH_MODE=none (WEBHOOK_SECRET). */
  keyId: string;
  /** The exact JSON body, fixed when the event happened: every attempt sends the same bytes. */
  body: string;
};

export type WebhookQueue = { queue: Queue<WebhookJobData>; enqueue(data: WebhookJobData): Promise<void>; close(): Promise<void> };

export function createWebhookQueue(settings: { connection: Redis; prefix: string; retryDelaysMs: readonly number[] }): WebhookQueue {
  const queue = new Queue<WebhookJobData>(webhookQueueName, { connection: settings.connection, prefix: settings.prefix });
  return {
    queue,
    async enqueue(data) {
      await queue.add(data.event, data, {
        // The message id makes the BullMQ id: an event announced twice (a retried stage) is queued once.
        jobId: data.messageId,
        attempts: settings.retryDelaysMs.length + 1,
        backoff: { type: 'webhook' },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    },
    close: () => queue.close(),
  };
}

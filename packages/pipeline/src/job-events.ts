import type { JobOptions } from '@babelfish/core';
import type { JobRecord, JobRepository, OutputRecord } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { WebhookEvent, WebhookQueue } from '@babelfish/queue';

/**
 * Terminal job events for webhooks. The body is built when the event happens (Standard
 * Webhooks' `{type, timestamp, data}` envelope) and queued; a worker delivers and retries it.
 * Only jobs whose submission named a destination (or whose key has a default one) announce.
 */
export type JobAnnouncer = (jobId: string, event: WebhookEvent) => Promise<void>;

export type JobWebhook = NonNullable<JobOptions['webhook']>;

/** The message id: one per job, event and run, so a re-run's completion is a new message. */
export function webhookMessageId(job: Pick<JobRecord, 'id' | 'runs'>, event: WebhookEvent): string {
  return `msg_${job.id}_${event.replace('.', '_')}_${job.runs}`;
}

export function webhookBody(job: JobRecord, outputs: readonly OutputRecord[], event: WebhookEvent, at = new Date()): string {
  return JSON.stringify({
    type: event,
    timestamp: at.toISOString(),
    data: {
      id: job.id,
      status: job.status,
      sourceLanguage: job.sourceLanguage,
      detectedLanguage: job.detectedLanguage,
      targetLanguages: job.targetLanguages,
      engine: job.engine,
      originalName: job.originalName,
      error: job.error,
      createdAt: job.createdAt,
      completedAt: job.completedAt,
      url: `/v1/jobs/${job.id}`,
      outputs: outputs.map((output) => ({
        id: output.id,
        kind: output.kind,
        language: output.language,
        name: output.name,
        bytes: output.bytes,
        url: `/v1/jobs/${job.id}/outputs/${output.id}/download`,
      })),
    },
  });
}

export function createJobAnnouncer(deps: { jobs: JobRepository; queue: WebhookQueue; logger: Logger }): JobAnnouncer {
  return async (jobId, event) => {
    // Announcing is best effort for the stage that calls it: the job's own state is already
    // recorded, and a Redis blip here must not fail (and retry) a finished job.
    try {
      const job = await deps.jobs.get(jobId);
      const webhook = job?.options.webhook;
      if (!job || !webhook) return;
      const outputs = event === 'job.completed' ? await deps.jobs.listOutputs(jobId) : [];
      await deps.queue.enqueue({ jobId, event, messageId: webhookMessageId(job, event), url: webhook.url, keyId: webhook.keyId, body: webhookBody(job, outputs, event) });
    } catch (error) {
      deps.logger.error('could not queue a webhook', { jobId, event, error: String(error) });
    }
  };
}

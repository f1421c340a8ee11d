import { describeError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { createJobAnnouncer, progressEvent } from '@babelfish/pipeline';
import { announceJobCanceled, createProgressPublisher, createWebhookQueue } from '@babelfish/queue';
import type { ApiDeps } from './deps';

/**
 * Calls a job off: the row becomes `canceled` first (the source of truth: a worker that picks
 * up an entry after this skips it, and a stage still running can neither complete nor fail the
 * job), then its waiting queue entries (transcription, chunks, translations, mux) are removed,
 * the workers are told on Redis (the one running it aborts Whisper, the text models or ffmpeg),
 * watchers get a `canceled` progress event and the job's webhook a `job.canceled`. The upload
 * stays, so the job can be retried. False when the job had already ended.
 */
export async function cancelJob(deps: ApiDeps, job: JobRecord, reason: string): Promise<boolean> {
  if (!(await deps.jobs.cancelIfRunning(job.id, reason))) return false;
  const removed = await deps.queues.removeWaiting(job.id, job.runs, job.targetLanguages);
  await announceJobCanceled(deps.redis, deps.config.queuePrefix, job.id);
  const canceled = await deps.jobs.get(job.id);
  if (canceled) await createProgressPublisher(deps.redis, deps.config.queuePrefix).publish(progressEvent(canceled, 'canceled', { error: reason, message: reason }));
  await announcerFor(deps)(job.id, 'job.canceled');
  deps.logger.info('job canceled', { jobId: job.id, removedFromQueue: removed, reason });
  return true;
}

const announcers = new WeakMap<ApiDeps, ReturnType<typeof createJobAnnouncer>>();

/** The webhook announcer on the API's own connection (made once per API). */
function announcerFor(deps: ApiDeps) {
  let announce = announcers.get(deps);
  if (!announce) {
    const queue = createWebhookQueue({ connection: deps.redis, prefix: deps.config.queuePrefix, retryDelaysMs: deps.config.webhooks.retryDelaysMs });
    announce = createJobAnnouncer({ jobs: deps.jobs, queue, logger: deps.logger });
    announcers.set(deps, announce);
  }
  return (jobId: string, event: 'job.canceled') =>
    announce!(jobId, event).catch((error: unknown) => deps.logger.error('could not announce a cancellation', { jobId, error: describeError(error) }));
}

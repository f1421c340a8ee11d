import fs from 'node:fs';
import { describeError, AppError } from '@babelfish/core';
import type { JobRecord, NewJob } from '@babelfish/db';
import { JobPriority } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';

/** A received file and the storage key it goes to. */
export type StoredUpload = { key: string; receivedPath: string };

/**
 * The end of every submission: the received files move into storage under server-made keys,
 * the job row is written first (source of truth), then the transcription is queued. When the
 * queue does not answer, the submission is undone.
 */
export async function storeAndQueueJob(
  deps: ApiDeps,
  job: NewJob & { id: string },
  uploads: StoredUpload[],
  priority: JobPriority = JobPriority.bulk,
): Promise<JobRecord> {
  for (const upload of uploads) await deps.storage.putFile(upload.key, upload.receivedPath, { move: true });
  const created = await deps.jobs.create(job);
  try {
    await deps.queues.enqueueTranscription({ jobId: job.id, run: created.runs }, priority);
  } catch (error) {
    // The client is told nothing was created, so nothing is: the row and stored copies go, and the
    // received files go back where they were (a resumable upload stays ready for the retry). The
    // request connection never queues a command for later, so the job cannot appear afterwards.
    deps.logger.warn('could not queue a job; undoing the submission', { jobId: job.id, error: describeError(error) });
    await undoSubmission(deps, job.id, uploads).catch((undoError: unknown) =>
      deps.logger.error('undoing a submission failed', { jobId: job.id, error: describeError(undoError) }),
    );
    throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is not answering, so no job was created; retry shortly', { retryAfterSeconds: 5 }, { cause: error });
  }
  return (await deps.jobs.get(job.id)) ?? created;
}

async function undoSubmission(deps: ApiDeps, jobId: string, uploads: StoredUpload[]): Promise<void> {
  for (const upload of uploads) await deps.storage.withLocalFile(upload.key, (stored) => fs.promises.copyFile(stored, upload.receivedPath));
  await deps.jobs.delete(jobId);
  await deps.storage.deletePrefix(storageKeys.jobPrefix(jobId));
}

import type { Response } from 'express';
import { AppError, describeError, ErrorCode, type TranscriptionRequest } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertLanguagePlan } from '@babelfish/pipeline';
import type { ApiDeps } from '../deps';
import { cancelJob } from '../job-cancel';
import { submitJob } from '../job-submission';

export type ReceivedFile = { path: string; originalName: string; size: number; ownerId: string };

export type TranscriptionAsk = {
  /** The spoken language when the caller knows it; null: detected by the worker. */
  source: string | null;
  /** The language of the answer when it is not the spoken one (translations). */
  target?: string;
  request: TranscriptionRequest;
};

export const CANCELED_REASON = 'Canceled: the client disconnected before the result was ready';

/**
 * Queues a transcription-only job for the caller (same checks as POST /v1/jobs: ffprobe and the
 * input policy, upload size, duration limit, language pairs), at the interactive priority.
 */
export async function submitTranscription(deps: ApiDeps, file: ReceivedFile, ask: TranscriptionAsk): Promise<JobRecord> {
  const targets = ask.target && ask.target !== ask.source ? [ask.target] : [];
  await assertLanguagePlan(deps.engines, { source: ask.source, targets, engine: deps.config.defaultEngine ?? null });
  return submitJob(deps, file, { targets, source: ask.source, engine: deps.config.defaultEngine ?? null, options: {} }, { transcription: ask.request });
}

/**
 * Holds the request open until the job ends, then gives back its answer: the body of its one
 * output. If the client goes away first, or the wait passes COMPAT_WAIT_SECONDS, the job is
 * canceled (taken off the queue if it waits, stopped by its worker if it runs), so nobody's
 * abandoned request keeps a worker busy. Returns undefined when the client has gone.
 */
export async function awaitTranscription(deps: ApiDeps, job: JobRecord, res: Response): Promise<{ job: JobRecord; body: Buffer } | undefined> {
  const controller = new AbortController();
  const gone = () => {
    if (!res.writableEnded) controller.abort(new AppError('CANCELED', 'The client disconnected'));
  };
  res.on('close', gone);
  const limit = setTimeout(
    () => controller.abort(new AppError('SERVICE_UNAVAILABLE', `The transcription did not finish within ${deps.config.compat.waitSeconds} s and was canceled`)),
    deps.config.compat.waitSeconds * 1000,
  );
  try {
    const ended = await deps.jobWaiter.waitForEnd(job.id, controller.signal);
    if (!ended) throw new AppError('INTERNAL', 'The job was deleted before it finished');
    // A bad upload found by the worker (no audio, not decodable, too long) keeps its own status.
    if (ended.status === 'failed') throw new AppError(failureCode(ended.errorCode), ended.error ?? 'The transcription failed');
    const [output] = (await deps.jobs.listOutputs(job.id)).filter((candidate) => candidate.kind === 'transcription');
    if (!output) throw new AppError('INTERNAL', 'The job completed without its transcription');
    return { job: ended, body: await deps.storage.getBuffer(output.storageKey) };
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    await cancelTranscription(deps, job).catch((failure: unknown) => deps.logger.error('could not cancel a transcription', { jobId: job.id, error: describeError(failure) }));
    if (res.writableEnded || res.destroyed) return undefined;
    throw controller.signal.reason;
  } finally {
    clearTimeout(limit);
    res.off('close', gone);
  }
}

function failureCode(code: string | null): ErrorCode {
  return code && (Object.values(ErrorCode) as string[]).includes(code) ? (code as ErrorCode) : 'INTERNAL';
}

/** Ends the job as canceled (see job-cancel.ts): its client is gone, so nobody wants the answer. */
export async function cancelTranscription(deps: ApiDeps, job: JobRecord): Promise<void> {
  await cancelJob(deps, job, CANCELED_REASON);
}

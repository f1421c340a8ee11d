import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { AppError, isAppError, isTerminalStatus } from '@babelfish/core';
import { JobPriority, type JobDataByQueue, type JobQueues, type QueueName } from '@babelfish/queue';
import {
  failJob,
  runMuxStage,
  runTranscriptionFinish,
  runTranscriptionStage,
  runTranscribeChunk,
  runTranscribeMerge,
  runTranscribeStage,
  runTranslateStage,
  type ChunkSplit,
  type StageContext,
} from '@babelfish/pipeline';
import { createCancellations, type Cancellations } from './cancellations';

/**
 * One handler per queue, and the follow-up work chained in one place: after a transcription
 * succeeds, the translate-per-language → mux flow is added. Each handler throws on failure so
 * BullMQ sees it (retries with backoff); bad media becomes UnrecoverableError and fails at once.
 */
export function createProcessors(
  ctx: StageContext,
  queues: JobQueues,
  chunking: { splitAboveSeconds: number; chunkSeconds: number },
  cancellations: Cancellations = createCancellations(),
) {
  const split: ChunkSplit = {
    ...chunking,
    enqueue: (merge, chunks) =>
      queues.enqueueChunkedTranscription(
        { kind: 'merge', ...merge },
        chunks.map((chunk) => ({ kind: 'chunk', jobId: merge.jobId, run: merge.run, count: merge.count, language: merge.language, ...chunk })),
      ),
  };
  const translateNext = async (jobId: string, run: number) => {
    const record = await ctx.jobs.get(jobId);
    await queues.enqueueTranslationFlow(jobId, record?.targetLanguages ?? [], run);
  };

  const handlers: { [Q in QueueName]: (job: Job<JobDataByQueue[Q]>) => Promise<unknown> } = {
    // Whole recordings, and the chunks and merge of long ones (transcribe-chunks.ts).
    transcribe: async ({ data }) => {
      if ('kind' in data && data.kind === 'chunk') {
        if (await canceledTranscription(data.jobId)) return { skipped: true };
        return cancellations.run(data.jobId, (signal) => runTranscribeChunk(ctx, data, signal));
      }
      if ('kind' in data && data.kind === 'merge') {
        // The last running chunk finished after a cancel took the others away: nothing to merge.
        if (await canceledTranscription(data.jobId)) return { skipped: true };
        const transcript = await runTranscribeMerge(ctx, data);
        await translateNext(data.jobId, data.run);
        return { language: transcript.language, segments: transcript.segments.length };
      }
      // A queue entry for a run the job row no longer expects (the API undid the submission, or
      // the run already ended) is stale: running it would redo or resurrect a finished job.
      const record = await ctx.jobs.get(data.jobId);
      if (!record || record.runs !== data.run || isTerminalStatus(record.status)) {
        ctx.logger.warn('skipping a stale transcription entry', { jobId: data.jobId, run: data.run, status: record?.status ?? 'deleted' });
        return { skipped: true };
      }
      if (record.transcription) {
        // A client waits on this one: no chunks, and what follows keeps its priority.
        const outcome = await cancellations.run(data.jobId, (signal) => runTranscriptionStage(ctx, data.jobId, signal));
        if (outcome.next === 'translate') await queues.enqueueTranslationFlow(data.jobId, outcome.languages, data.run, JobPriority.interactive);
        else await runTranscriptionFinish(ctx, data.jobId);
        return { transcription: outcome.next };
      }
      const result = await cancellations.run(data.jobId, (signal) => runTranscribeStage(ctx, data.jobId, { run: data.run, split, signal }));
      if ('chunks' in result) return { chunks: result.chunks };
      await translateNext(data.jobId, data.run);
      return { language: result.transcript.language, segments: result.transcript.segments.length };
    },
    translate: async (job) => {
      if (await canceledTranscription(job.data.jobId)) return { skipped: true };
      // A cancel stops the engine (llm requests aborted, text models between batches); a
      // shutdown lets the translation finish (handBack), as the cache keeps nothing of NLLB's work.
      const translation = await cancellations.run(job.data.jobId, (signal) => runTranslateStage(ctx, job.data.jobId, job.data.language, { signal }), {
        onShutdown: 'finish',
      });
      return { language: translation.targetLanguage, engine: translation.engine };
    },
    mux: async (job) => {
      // A transcription-only job has no videos to mux: its one output is written here instead.
      const record = await ctx.jobs.get(job.data.jobId);
      if (record?.transcription) {
        await runTranscriptionFinish(ctx, job.data.jobId);
        return { transcription: 'finish' };
      }
      if (await canceledTranscription(job.data.jobId)) return { skipped: true };
      const outputs = await cancellations.run(job.data.jobId, (signal) => runMuxStage(ctx, job.data.jobId, { signal }));
      return { outputs: outputs.length };
    },
  };

  /** A job canceled meanwhile (by its owner, or a waiting client that went away): its remaining steps are skipped. */
  const canceledTranscription = async (jobId: string) => (await ctx.jobs.get(jobId))?.status === 'canceled';

  /**
   * Failures BullMQ decides without running our handler: a job that stalled (its worker died or
   * lost the lock) more than maxStalledCount times is failed by the next worker that fetches it.
   * The job row must not stay 'processing' forever, so it is failed here with a readable reason.
   */
  const onFailed = async (queue: QueueName, job: Job<{ jobId: string }> | undefined, error: Error): Promise<void> => {
    if (!job?.deferredFailure) return; // our handler already ran and recorded the outcome
    ctx.logger.error('stage failed outside the processor', { queue, jobId: job.data.jobId, error: error.message });
    const record = await ctx.jobs.get(job.data.jobId);
    // A mux parent fails this way when one of its translate children failed for good; that
    // child already recorded the real cause on the row, which must not be replaced. Nor may a
    // leftover of an earlier run fail the run that is going on now.
    if (!record || isTerminalStatus(record.status)) return;
    const run = (job.data as { run?: number }).run;
    if (run !== undefined && run !== record.runs) return;
    const reason = /^child .* failed/i.test(job.deferredFailure)
      ? new AppError('INTERNAL', `A step this ${queue} step waited for failed: ${job.deferredFailure}`)
      : new AppError(
          'INTERNAL',
          `The ${queue} step was interrupted too many times (the worker crashed or was killed while running it): ${job.deferredFailure}`,
        );
    await failJob(ctx, job.data.jobId, reason);
  };

  /**
   * SIGTERM: the running transcriptions and muxes are stopped and their BullMQ jobs moved back
   * to the wait list with this worker's lock token, so another worker takes them at once rather
   * than after the lock lapses (and no attempt or stall is counted). Chunks already finished
   * stay stored and are not redone (transcribe-chunks.ts). Translations are not stopped for a
   * shutdown (only for a cancel): they simply finish; the caller waits for them.
   */
  let handingBack = false;
  const handBack = (): number => {
    handingBack = true;
    return cancellations.abortAll();
  };

  function processorFor<Q extends QueueName>(queue: Q) {
    const handler = handlers[queue] as (job: Job<JobDataByQueue[Q]>) => Promise<unknown>;
    return async (job: Job<JobDataByQueue[Q]>, token?: string) => {
      // Which process ran which step, in the logs (a handed-back or re-queued job shows twice).
      ctx.logger.info('step started', { queue, jobId: job.data.jobId, bullJobId: job.id });
      try {
        return await handler(job);
      } catch (error) {
        if (handingBack && token) {
          await job.moveToWait(token);
          ctx.logger.info('handed a running job back to the queue', { queue, jobId: job.data.jobId, bullJobId: job.id });
          // BullMQ's signal that the job was moved by the processor: it records no failure.
          throw new WaitingError();
        }
        // Canceled meanwhile: whatever the stage threw (ffmpeg killed, Whisper stopped) is not a failure.
        const canceled = (isAppError(error) && error.code === 'CANCELED') || (await ctx.jobs.get(job.data.jobId).catch(() => undefined))?.status === 'canceled';
        if (canceled) {
          // The row already says why (the API marked it canceled); nothing is retried.
          ctx.logger.info('stage canceled', { queue, jobId: job.data.jobId });
          throw new UnrecoverableError('The job was canceled');
        }
        const permanent = (isAppError(error) && error.permanent) || error instanceof UnrecoverableError;
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        ctx.logger.error('stage failed', { queue, jobId: job.data.jobId, attempt: job.attemptsMade + 1, permanent, error: String(error) });
        if (permanent || lastAttempt) await failJob(ctx, job.data.jobId, error);
        if (permanent) throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
        throw error;
      }
    };
  }

  return { processorFor, onFailed, cancellations, handBack };
}

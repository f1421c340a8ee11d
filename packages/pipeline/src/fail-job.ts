import { AppError, describeError, redactPaths } from '@babelfish/core';
import type { StageContext } from './context';
import { progressEvent } from './progress';

/** Puts the job row in its terminal failed state with a readable reason, and tells clients. */
export async function failJob(ctx: StageContext, jobId: string, error: unknown): Promise<void> {
  // The reason is shown to the job's owner: tool output keeps its words, not server paths.
  const reason = redactPaths(describeError(error));
  await ctx.jobs.markFailed(jobId, reason, error instanceof AppError ? error.code : 'INTERNAL');
  const job = await ctx.jobs.get(jobId);
  if (job) await ctx.publish(progressEvent(job, 'failed', { error: reason, message: reason }));
  await ctx.announce?.(jobId, 'job.failed');
}

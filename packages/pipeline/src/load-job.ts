import { AppError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import type { StageContext } from './context';

export async function loadJob(ctx: StageContext, jobId: string): Promise<JobRecord> {
  const job = await ctx.jobs.get(jobId);
  if (!job) throw new AppError('NOT_FOUND', `Job ${jobId} does not exist (deleted while queued?)`);
  return job;
}

export async function readJson<T>(ctx: StageContext, key: string): Promise<T> {
  return JSON.parse((await ctx.storage.getBuffer(key)).toString('utf8')) as T;
}

import type { Request, Response } from 'express';
import { AppError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { principalOf } from '../auth/authenticate';
import type { ApiDeps } from '../deps';

const jobIdPattern = /^[0-9a-f-]{36}$/;

/**
 * The caller's job named in the URL, or a 404 — also for another owner's job, so ids of other
 * people's jobs cannot even be confirmed to exist. Malformed ids never reach the database.
 */
export async function requireJob(deps: ApiDeps, req: Request, res: Response): Promise<JobRecord> {
  const id = String(req.params.id);
  const job = jobIdPattern.test(id) ? await deps.jobs.get(id) : undefined;
  if (!job || job.ownerId !== principalOf(res.locals).ownerId) throw new AppError('NOT_FOUND', `Job ${id} not found`);
  return job;
}

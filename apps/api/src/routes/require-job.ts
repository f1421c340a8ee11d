import type { Request } from 'express';
import { AppError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import type { ApiDeps } from '../deps';

const jobIdPattern = /^[0-9a-f-]{36}$/;

/** The job named in the URL, or a 404 (malformed ids never reach the database). */
export async function requireJob(deps: ApiDeps, req: Request): Promise<JobRecord> {
  const id = String(req.params.id);
  const job = jobIdPattern.test(id) ? await deps.jobs.get(id) : undefined;
  if (!job) throw new AppError('NOT_FOUND', `Job ${id} not found`);
  return job;
}

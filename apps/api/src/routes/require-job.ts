import type { Request, Response } from 'express';
import { AppError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { principalOf } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { jobIdSchema, parseOrUndefined } from '../schemas';


/**
 * The caller's job named in the URL, or a 404 — also for another owner's job, so ids of other
 * people's jobs cannot even be confirmed to exist. Malformed ids never reach the database.
 * `shared`: a read for display that may come from the job read cache (status polling); routes
 * that act on the job read it afresh.
 */
export async function requireJob(deps: ApiDeps, req: Request, res: Response, options: { shared?: boolean } = {}): Promise<JobRecord> {
  const id = parseOrUndefined(jobIdSchema, req.params.id);
  const job = id ? await (options.shared ? deps.jobReads : deps.jobs).get(id) : undefined;
  if (!job || job.ownerId !== principalOf(res.locals).ownerId) throw new AppError('NOT_FOUND', id ? `Job ${id} not found` : 'Job not found');
  return job;
}

import { Router } from 'express';
import { z } from 'zod';
import { AppError, canonicalLanguageCode, isTerminalStatus } from '@babelfish/core';
import { cancelJob } from '../job-cancel';
import { assertLanguagePlan, overallPercent } from '@babelfish/pipeline';
import type { EngineName } from '@babelfish/core';
import type { ApiDeps } from '../deps';
import { jobView } from '../views';
import { requireJob } from './require-job';

export const languagesSchema = z.object({ to: z.union([z.string(), z.array(z.string())]) });

/** Partial re-runs of a job: each starts a new run, so the queue takes it as new work. */
export function jobActionsRouter(deps: ApiDeps): Router {
  const router = Router();

  /** A failed or canceled job starts again from transcription, on the upload it kept. */
  router.post('/jobs/:id/retry', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (job.status !== 'failed' && job.status !== 'canceled') throw new AppError('CONFLICT', `Only failed or canceled jobs can be retried (this one is ${job.status})`);
    const restarted = await deps.jobs.restart(job.id, { stage: 'upload', percent: 0, stageProgress: {} });
    await deps.queues.enqueueTranscription({ jobId: job.id, run: restarted.runs });
    res.status(202).json({ job: jobView(restarted) });
  });

  /** Stops a queued or running job (see job-cancel.ts); its upload stays for a retry. */
  router.post('/jobs/:id/cancel', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (isTerminalStatus(job.status)) throw new AppError('CONFLICT', `The job has already ${job.status === 'canceled' ? 'been canceled' : job.status}`);
    if (!(await cancelJob(deps, job, 'Canceled by its owner'))) throw new AppError('CONFLICT', 'The job ended meanwhile');
    res.status(202).json({ job: jobView((await deps.jobs.get(job.id)) ?? job) });
  });

  /** Re-runs only the mux stage, from the latest version of every subtitle track. */
  router.post('/jobs/:id/remux', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (job.status !== 'completed') throw new AppError('CONFLICT', `Re-mux needs a completed job (this one is ${job.status})`);
    const stageProgress = { ...job.stageProgress, mux: 0 };
    const restarted = await deps.jobs.restart(job.id, { stage: 'mux', percent: overallPercent(stageProgress, job.targetLanguages), stageProgress });
    await deps.queues.enqueueMux(job.id, restarted.runs);
    res.status(202).json({ job: jobView(restarted) });
  });

  /** Another language for a finished job: translate + mux only; the transcript is reused. */
  router.post('/jobs/:id/languages', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (job.status !== 'completed') throw new AppError('CONFLICT', `Languages can be added to a completed job (this one is ${job.status})`);
    const parsed = languagesSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON { "to": ["fr", …] }');
    const requested = (Array.isArray(parsed.data.to) ? parsed.data.to : parsed.data.to.split(',')).map((code) => canonicalLanguageCode(code.trim())).filter(Boolean);
    const added = [...new Set(requested)].filter((code) => !job.targetLanguages.includes(code));
    if (added.length === 0) throw new AppError('BAD_REQUEST', `The job already has ${requested.join(', ') || 'those languages'}`);
    await assertLanguagePlan(deps.engines, { source: job.sourceLanguage, targets: added, engine: job.engine as EngineName | null });

    await deps.jobs.addTargetLanguages(job.id, added);
    const targets = [...job.targetLanguages, ...added];
    const stageProgress = { ...job.stageProgress, translate: { ...job.stageProgress.translate, ...Object.fromEntries(added.map((code) => [code, 0])) }, mux: 0 };
    const restarted = await deps.jobs.restart(job.id, { stage: 'translate', percent: overallPercent(stageProgress, targets), stageProgress });
    await deps.queues.enqueueTranslationFlow(job.id, added, restarted.runs);
    res.status(202).json({ job: jobView(restarted) });
  });

  return router;
}

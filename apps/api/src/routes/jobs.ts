import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { AppError, isAppError, jobStatuses, type JobStatus, type OutputKind } from '@babelfish/core';
import type { JobRecord, Principal } from '@babelfish/db';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from '../deps';
import { submitJob } from '../job-submission';
import { submitSubtitlesAlone } from '../subtitle-submission';
import { parseSubmission } from '@babelfish/pipeline';
import { jobView, outputView } from '../views';
import { principalOf } from '../auth/authenticate';
import { resolveJobWebhook } from '../webhook-settings';
import { requireJob } from './require-job';
import { multipartErrors } from '../http-errors';

const contentTypes: Record<OutputKind, string> = {
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  transcript: 'application/json',
  ass: 'text/x-ssa; charset=utf-8',
  burned: 'video/mp4',
  dubbed: 'video/mp4',
  'bilingual-srt': 'application/x-subrip; charset=utf-8',
  'bilingual-vtt': 'text/vtt; charset=utf-8',
  'bilingual-ass': 'text/x-ssa; charset=utf-8',
  transcription: 'text/plain; charset=utf-8',
};

export const fromUploadSchema = z.object({ uploadId: z.string(), subtitlesUploadId: z.string().optional() });

/** Multipart fields that carry files: the video (or a subtitle file alone) and an optional subtitle file. */
const fileFields = [{ name: 'file', maxCount: 1 }, { name: 'subtitles', maxCount: 1 }];
type ReceivedFiles = Partial<Record<'file' | 'subtitles', Express.Multer.File[]>>;

export function jobsRouter(deps: ApiDeps): Router {
  const router = Router();
  // Uploads land under random names in a private temp dir: the client's file name is only data.
  const upload = multer({
    storage: multer.diskStorage({ destination: deps.uploadDir, filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`) }),
    limits: { fileSize: deps.config.http.maxUploadBytes, files: 2, fields: 20 },
  });

  router.post('/jobs', multipartErrors(upload.fields(fileFields)), async (req, res) => {
    const idempotencyKey = req.header('idempotency-key');
    const scope = principalOf(res.locals).ownerId;
    let claimed = false;
    try {
      if (idempotencyKey) {
        const { replayOf } = await deps.idempotency.begin(scope, idempotencyKey);
        const earlier = replayOf ? await deps.jobs.get(replayOf) : undefined;
        if (earlier) {
          res.status(202).setHeader('Idempotent-Replayed', 'true').location(`/v1/jobs/${earlier.id}`).json({ job: jobView(earlier) });
          return;
        }
        claimed = true;
      }
      const job = await createJobFromRequest(deps, req, principalOf(res.locals));
      if (idempotencyKey) await deps.idempotency.complete(scope, idempotencyKey, job.id);
      claimed = false;
      res.status(202).location(`/v1/jobs/${job.id}`).json({ job: jobView(job) });
    } finally {
      // A failed first attempt frees the key, so the client's retry can succeed.
      if (claimed && idempotencyKey) {
        await deps.idempotency.release(scope, idempotencyKey).catch((error: unknown) => deps.logger.warn('idempotency release failed', { error: String(error) }));
      }
      for (const file of Object.values((req.files ?? {}) as ReceivedFiles).flat()) await fs.rm(file.path, { force: true });
    }
  });

  router.get('/jobs', async (req, res) => {
    const status = typeof req.query.status === 'string' && req.query.status !== '' ? req.query.status : undefined;
    if (status && !(jobStatuses as readonly string[]).includes(status)) {
      throw new AppError('BAD_REQUEST', `status must be one of ${jobStatuses.join(', ')}`);
    }
    const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
    const jobs = await deps.jobs.list({ status: status as JobStatus | undefined, limit, ownerId: principalOf(res.locals).ownerId });
    res.json({ jobs: jobs.map(jobView) });
  });

  router.get('/jobs/:id', async (req, res) => {
    res.json({ job: jobView(await requireJob(deps, req, res, { shared: true })) });
  });

  router.get('/jobs/:id/outputs', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const outputs = await deps.jobs.listOutputs(job.id);
    res.json({ jobId: job.id, status: job.status, outputs: outputs.map(outputView), quality: job.quality });
  });

  /** Subtitle quality checks of the last mux run (null until it has run). */
  router.get('/jobs/:id/quality', async (req, res) => {
    const job = await requireJob(deps, req, res);
    res.json({ jobId: job.id, status: job.status, quality: job.quality });
  });

  router.get('/jobs/:id/outputs/:outputId/download', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const output = await deps.jobs.getOutput(job.id, String(req.params.outputId));
    if (!output) throw new AppError('NOT_FOUND', 'Output not found');
    // On S3 the bytes go straight from the bucket (a short-lived signed URL), not through the API.
    if (deps.storage.presignDownload) {
      res.redirect(302, await deps.storage.presignDownload(output.storageKey, output.name));
      return;
    }
    const stream = await deps.storage.createReadStream(output.storageKey);
    // attachment() first: it sets a type from the file name's extension (octet-stream for .ass).
    res.attachment(output.name);
    res.setHeader('Content-Type', contentTypes[output.kind]);
    res.setHeader('Content-Length', String(output.bytes));
    stream.on('error', (error) => res.destroy(error));
    stream.pipe(res);
  });

  router.delete('/jobs/:id', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (job.status === 'processing') throw new AppError('CONFLICT', 'The job is running; delete it once it has completed or failed');
    await deps.storage.deletePrefix(storageKeys.jobPrefix(job.id));
    await deps.webhooks.deleteForJob(job.id);
    await deps.jobs.delete(job.id);
    res.status(204).end();
  });

  return router;
}

/**
 * Multipart with the file (and optionally `subtitles`), or JSON naming finished resumable
 * uploads (see routes/uploads.ts): `uploadId`, and `subtitlesUploadId` for a subtitle file.
 */
async function createJobFromRequest(deps: ApiDeps, req: Request, principal: Principal): Promise<JobRecord> {
  const ownerId = principal.ownerId;
  const submission = await parseSubmission(req.body, deps.engines, deps.config.defaultEngine);
  const webhook = await resolveJobWebhook(deps, principal, submission.webhookUrl);
  if (webhook) submission.options.webhook = webhook;
  const files = (req.files ?? {}) as ReceivedFiles;
  const [file, subtitles] = [files.file?.[0], files.subtitles?.[0]];
  const received = (part: Express.Multer.File) => ({ path: part.path, originalName: part.originalname, size: part.size });
  if (file) return submitJob(deps, { ...received(file), ownerId }, submission, { subtitles: subtitles ? received(subtitles) : undefined });
  // Under "subtitles" with no "file", it must be subtitles: a subtitle-only job, as under "file".
  if (subtitles) return submitSubtitlesAlone(deps, { ...received(subtitles), ownerId }, submission);

  const fromUpload = fromUploadSchema.safeParse(req.body ?? {});
  if (!req.is('application/json') || !fromUpload.success) {
    throw new AppError('BAD_REQUEST', 'Attach the video (or a subtitle file) as multipart field "file", or send JSON with the uploadId of a finished upload');
  }
  const uploadIds = [fromUpload.data.uploadId, ...(fromUpload.data.subtitlesUploadId ? [fromUpload.data.subtitlesUploadId] : [])];
  const completed = await Promise.allSettled(uploadIds.map((id) => deps.uploads.completedUpload(id, ownerId)));
  const [media, subtitleUpload] = completed.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  const fromSession = (upload: { path: string; session: { name: string; size: number } }) => ({ path: upload.path, originalName: upload.session.name, size: upload.session.size });
  try {
    const refused = completed.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const job = await submitJob(deps, { ...fromSession(media!), ownerId }, submission, { subtitles: subtitleUpload ? fromSession(subtitleUpload) : undefined });
    for (const id of uploadIds) await deps.uploads.remove(id);
    return job;
  } catch (error) {
    // Files that can never be processed are not kept; after a transient failure the uploads stay for a retry.
    if (isAppError(error) && error.permanent && completed.every((result) => result.status === 'fulfilled')) {
      for (const id of uploadIds) await deps.uploads.remove(id);
    }
    throw error;
  } finally {
    for (const upload of [media, subtitleUpload]) await upload?.release();
  }
}

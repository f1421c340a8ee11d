import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Router, type Request } from 'express';
import multer from 'multer';
import { AppError, describeError, jobStatuses, type JobStatus, type OutputKind } from '@babelfish/core';
import type { JobRecord, OutputRecord } from '@babelfish/db';
import { assertTranslatableMedia, probeMedia } from '@babelfish/media';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from '../deps';
import { parseSubmission } from '../submission';

const contentTypes: Record<OutputKind, string> = {
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  transcript: 'application/json',
};

export function jobView(job: JobRecord) {
  return {
    id: job.id,
    status: job.status,
    stage: job.stage,
    percent: job.percent,
    stageProgress: job.stageProgress,
    sourceLanguage: job.sourceLanguage,
    detectedLanguage: job.detectedLanguage,
    targetLanguages: job.targetLanguages,
    engine: job.engine,
    originalName: job.originalName,
    durationSeconds: job.mediaDuration,
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
  };
}

function outputView(output: OutputRecord) {
  return {
    id: output.id,
    kind: output.kind,
    language: output.language,
    name: output.name,
    bytes: output.bytes,
    url: `/v1/jobs/${output.jobId}/outputs/${output.id}/download`,
  };
}

export function jobsRouter(deps: ApiDeps): Router {
  const router = Router();
  // Uploads land under random names in a private temp dir: the client's file name is only data.
  const upload = multer({
    storage: multer.diskStorage({ destination: deps.uploadDir, filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`) }),
    limits: { fileSize: deps.config.http.maxUploadBytes, files: 1, fields: 20 },
  });

  async function requireJob(req: Request): Promise<JobRecord> {
    const id = String(req.params.id);
    const job = /^[0-9a-f-]{36}$/.test(id) ? await deps.jobs.get(id) : undefined;
    if (!job) throw new AppError('NOT_FOUND', `Job ${id} not found`);
    return job;
  }

  router.post('/jobs', upload.single('file'), async (req, res) => {
    const file = req.file;
    try {
      if (!file) throw new AppError('BAD_REQUEST', 'Attach the video as multipart field "file"');
      if (file.size === 0) throw new AppError('UNSUPPORTED_MEDIA', 'The uploaded file is empty');
      const submission = await parseSubmission(req.body, deps.engines, deps.config.defaultEngine);
      // Judge the file by its content, not its name or MIME header.
      const media = await probeMedia(file.path, { ffprobePath: deps.config.ffmpeg.ffprobePath });
      assertTranslatableMedia(media);

      const id = randomUUID();
      await deps.storage.putFile(storageKeys.input(id), file.path, { move: true });
      const job = await deps.jobs.create({
        id,
        sourceLanguage: submission.source,
        targetLanguages: submission.targets,
        engine: submission.engine,
        originalName: path.basename(file.originalname || 'video').slice(0, 255),
        inputKey: storageKeys.input(id),
        mediaDuration: media.durationSeconds,
      });
      try {
        await deps.queues.enqueueTranscription({ jobId: id });
      } catch (error) {
        await deps.jobs.markFailed(id, `Could not queue the job: ${describeError(error)}`);
        throw new AppError('INTERNAL', 'The job queue is unavailable; the upload was kept and the job marked failed');
      }
      deps.logger.info('job submitted', { jobId: id, targets: submission.targets, source: submission.source });
      res.status(202).location(`/v1/jobs/${id}`).json({ job: jobView(job) });
    } finally {
      if (file) await fs.rm(file.path, { force: true });
    }
  });

  router.get('/jobs', async (req, res) => {
    const status = typeof req.query.status === 'string' ? req.query.status : undefined;
    if (status && !(jobStatuses as readonly string[]).includes(status)) {
      throw new AppError('BAD_REQUEST', `status must be one of ${jobStatuses.join(', ')}`);
    }
    const limit = Math.min(200, Math.max(1, Number(req.query.limit ?? 50) || 50));
    const jobs = await deps.jobs.list({ status: status as JobStatus | undefined, limit });
    res.json({ jobs: jobs.map(jobView) });
  });

  router.get('/jobs/:id', async (req, res) => {
    res.json({ job: jobView(await requireJob(req)) });
  });

  router.get('/jobs/:id/outputs', async (req, res) => {
    const job = await requireJob(req);
    const outputs = await deps.jobs.listOutputs(job.id);
    res.json({ jobId: job.id, status: job.status, outputs: outputs.map(outputView) });
  });

  router.get('/jobs/:id/outputs/:outputId/download', async (req, res) => {
    const job = await requireJob(req);
    const output = await deps.jobs.getOutput(job.id, String(req.params.outputId));
    if (!output) throw new AppError('NOT_FOUND', 'Output not found');
    const stream = await deps.storage.createReadStream(output.storageKey);
    res.setHeader('Content-Type', contentTypes[output.kind]);
    res.setHeader('Content-Length', String(output.bytes));
    res.attachment(output.name);
    stream.on('error', (error) => res.destroy(error));
    stream.pipe(res);
  });

  router.delete('/jobs/:id', async (req, res) => {
    const job = await requireJob(req);
    await deps.storage.deletePrefix(storageKeys.jobPrefix(job.id));
    await deps.jobs.delete(job.id);
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { AppError, findLanguage, validateSegments } from '@babelfish/core';
import { toWebVtt } from '@babelfish/media';
import type { ApiDeps } from '../deps';
import { trackView } from '../views';
import { requireJob } from './require-job';

const editSchema = z.object({
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() })).min(1).max(10_000),
  baseVersion: z.number().int().min(1).optional(),
});

export function subtitlesRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/jobs/:id/subtitles', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const tracks = await deps.subtitles.listLatest(job.id);
    res.json({ jobId: job.id, tracks: tracks.map(trackView) });
  });

  router.get('/jobs/:id/subtitles/:file', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const match = /^([a-z]{2,3})\.vtt$/.exec(String(req.params.file));
    const track = match ? await deps.subtitles.latest(job.id, match[1]!) : undefined;
    if (!track) throw new AppError('NOT_FOUND', `No subtitles ${String(req.params.file)} for this job`);
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    res.send(toWebVtt(track.segments));
  });

  /** Saves an edited track as its next version; the previous versions stay in the database. */
  router.put('/jobs/:id/subtitles/:language', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const language = String(req.params.language);
    const current = findLanguage(language) ? await deps.subtitles.latest(job.id, language) : undefined;
    if (!current) throw new AppError('NOT_FOUND', `This job has no ${language} subtitles to edit`);
    const parsed = editSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON { "segments": [{ "start", "end", "text" }], "baseVersion" }');
    const segments = parsed.data.segments.map((segment) => ({ ...segment, text: segment.text.trim() }));
    const problems = validateSegments(segments);
    if (problems.length > 0) {
      throw new AppError('BAD_REQUEST', `The subtitles have ${problems.length} problem(s): ${problems[0]!.message}`, { problems });
    }
    const track = await deps.subtitles.save({
      jobId: job.id,
      language,
      kind: current.kind,
      origin: 'edit',
      segments,
      baseVersion: parsed.data.baseVersion,
    });
    res.json({ track: trackView(track) });
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { AppError, findLanguage, unifyWhitespace, validateSegments, type Segment } from '@babelfish/core';
import type { SubtitleLimits } from '@babelfish/config';
import { toWebVtt } from '@babelfish/media';
import { normalizeCues, resolveRules } from '@babelfish/subtitles';
import type { ApiDeps } from '../deps';
import { trackView } from '../views';
import { requireJob } from './require-job';

/**
 * An edited track. Line breaks and tabs are unified here (CRLF, U+2028 → LF; tab → space) and
 * the text trimmed; validateSegments then refuses control characters. How many cues a track
 * may hold is the configured limit (413), not the schema's.
 */
export const editSchema = z.object({
  segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string().transform((text) => unifyWhitespace(text).trim()) })).min(1),
  baseVersion: z.number().int().min(1).optional(),
});

/**
 * Refuses (413) a track over the configured size. A track the engine already made larger (a
 * long video) can still be edited, as long as the edit does not make it larger still.
 */
function checkTrackSize(segments: readonly Segment[], current: readonly Segment[], limits: SubtitleLimits): void {
  const textBytes = (cues: readonly Segment[]) => cues.reduce((sum, cue) => sum + Buffer.byteLength(cue.text, 'utf8'), 0);
  const maxCues = Math.max(limits.maxCues, current.length);
  if (segments.length > maxCues) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The track has ${segments.length} cues; the limit is ${maxCues}`);
  }
  const bytes = textBytes(segments);
  const maxBytes = Math.max(limits.maxTextBytes, textBytes(current));
  if (bytes > maxBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The track's text is ${bytes} bytes; the limit is ${maxBytes}`);
  }
}

export function subtitlesRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/jobs/:id/subtitles', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const tracks = await deps.subtitles.listLatest(job.id);
    res.json({ jobId: job.id, tracks: tracks.map(trackView) });
  });

  router.get('/jobs/:id/subtitles/:file', async (req, res) => {
    const job = await requireJob(deps, req, res);
    // `es.vtt`, `zh-Hant.vtt`: the track's language code, as in the files the mux stage writes.
    const match = /^([A-Za-z]{2,3}(?:-[A-Za-z]{4})?)\.vtt$/.exec(String(req.params.file));
    const language = match ? findLanguage(match[1]!) : undefined;
    const track = language ? await deps.subtitles.latest(job.id, language.code) : undefined;
    if (!track) throw new AppError('NOT_FOUND', `No subtitles ${String(req.params.file)} for this job`);
    res.setHeader('Content-Type', 'text/vtt; charset=utf-8');
    // Timed like the files the mux stage writes, so the preview shows what will be downloaded.
    res.send(toWebVtt(normalizeCues(track.segments, resolveRules(job.options.subtitleRules ?? {}, track.language), job.mediaDuration ?? undefined), { language: track.language }));
  });

  /** Saves an edited track as its next version; earlier versions are kept up to the configured number. */
  router.put('/jobs/:id/subtitles/:language', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const language = findLanguage(String(req.params.language))?.code ?? String(req.params.language);
    const current = findLanguage(language) ? await deps.subtitles.latest(job.id, language) : undefined;
    if (!current) throw new AppError('NOT_FOUND', `This job has no ${language} subtitles to edit`);
    const parsed = editSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON { "segments": [{ "start", "end", "text" }], "baseVersion" }');
    const segments = parsed.data.segments;
    checkTrackSize(segments, current.segments, deps.config.subtitles);
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

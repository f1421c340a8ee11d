import { Router } from 'express';
import { AppError } from '@babelfish/core';
import type { ApiDeps } from '../deps';
import { requireJob } from './require-job';

/** Parses a single `bytes=a-b` range (the only kind browsers send for <video>). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2])); // suffix range: the last N bytes
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}

export function jobMediaRouter(deps: ApiDeps): Router {
  const router = Router();

  router.get('/jobs/:id/thumbnail', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (!job.thumbnailKey) throw new AppError('NOT_FOUND', 'This job has no thumbnail');
    res.setHeader('Content-Type', 'image/jpeg');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    (await deps.storage.createReadStream(job.thumbnailKey)).pipe(res);
  });

  // The original upload, with Range support so the dashboard's <video> can seek.
  router.get('/jobs/:id/video', async (req, res) => {
    const job = await requireJob(deps, req, res);
    if (job.options.importedSubtitles?.withoutMedia) throw new AppError('NOT_FOUND', 'This job has no video: it was made from a subtitle file alone');
    const stat = await deps.storage.stat(job.inputKey);
    if (!stat) throw new AppError('NOT_FOUND', 'The video file is gone');
    const range = parseRange(req.header('range'), stat.bytes);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'video/mp4');
    if (range === 'invalid') {
      res.status(416).setHeader('Content-Range', `bytes */${stat.bytes}`).end();
      return;
    }
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${stat.bytes}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.setHeader('Content-Length', String(stat.bytes));
    }
    const stream = await deps.storage.createReadStream(job.inputKey, range);
    stream.on('error', (error) => res.destroy(error));
    stream.pipe(res);
  });

  return router;
}

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertTranslatableMedia, extractThumbnailJpeg, probeMedia, summarizeMedia, thumbnailTime, type MediaInfo } from '@babelfish/media';
import { holdLocalFile, storageKeys, type HeldLocalFile } from '@babelfish/storage';
import type { StageContext } from './context';
import { loadJob } from './load-job';

const THUMBNAIL_WIDTH = 320;

/**
 * The job's first step, for what the API leaves out of the request so that a submission is
 * answered at once: the full probe of an upload it only sniffed (ffprobe, the truncation check,
 * the stream and duration limits, the audio track and burn-in checks), the content hash that
 * transcript reuse matches on, and the thumbnail. It runs in the worker, from the stored upload,
 * so a crash of either process loses nothing: the queued job runs it again. An upload that fails
 * the probe fails its job with the reason (a permanent error: not retried), and stays stored
 * with it. Each part is skipped once done (a retry, or a job the API probed itself). `probed`:
 * what ffprobe found, when it ran here (the transcribe stage then does not run it again).
 * `input`: the stage's held copy of the upload, so that the extraction after it reads the same
 * download (released by whoever made it; one made here is released here).
 */
export async function runProbeStage(ctx: StageContext, job: JobRecord, input?: HeldLocalFile): Promise<{ job: JobRecord; probed?: MediaInfo }> {
  // A subtitle file given alone has no media to probe, hash or picture.
  if (job.options.importedSubtitles?.withoutMedia) return { job };
  const needsMedia = job.media === null && !job.transcription;
  const needsHash = job.contentHash === null && !job.transcription;
  const needsThumbnail = job.thumbnailKey === null && !job.transcription;
  if (!needsMedia && !needsHash && !needsThumbnail) return { job };
  let probed: MediaInfo | undefined;
  const held = input ?? holdLocalFile(ctx.storage, job.inputKey);
  try {
    const inputPath = await held.path();
    let hasVideo = Boolean(job.media?.video);
    let durationSeconds = job.mediaDuration ?? 0;
    if (needsMedia) {
      // The limits of the API that accepted the upload (recorded with the job), else this worker's.
      const limits = job.options.inputLimits ?? ctx.limits;
      probed = await probeMedia(inputPath, { ffprobePath: ctx.ffmpeg.ffprobePath, maxStreams: limits.maxMediaStreams });
      assertTranslatableMedia(probed);
      if (job.options.burnIn && !probed.hasVideo) throw new AppError('BAD_REQUEST', 'burnIn needs a video track; this upload has only audio');
      const limit = limits.maxDurationSeconds;
      if (probed.durationSeconds > limit) throw new AppError('PAYLOAD_TOO_LARGE', `The video lasts ${Math.round(probed.durationSeconds)} s; the limit is ${limit} s`);
      // An audioTrack that does not exist fails here, with the tracks there are.
      const media = summarizeMedia(probed, { from: job.sourceLanguage, audioTrack: job.options.audioTrack });
      await ctx.jobs.setProbedMedia(job.id, { media, durationSeconds: probed.durationSeconds });
      hasVideo = probed.hasVideo;
      durationSeconds = probed.durationSeconds;
    }
    if (needsHash) await ctx.jobs.setContentHash(job.id, await sha256File(inputPath));
    if (needsThumbnail && hasVideo) {
      const key = await createThumbnail(ctx, job.id, inputPath, durationSeconds);
      if (key) await ctx.jobs.setThumbnail(job.id, key);
    }
  } finally {
    if (!input) await held.release();
  }
  return { job: await loadJob(ctx, job.id), probed };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** A thumbnail is a nicety: failing to make one is logged and never fails the job. */
async function createThumbnail(ctx: StageContext, jobId: string, videoPath: string, durationSeconds: number): Promise<string | null> {
  const jpegPath = path.join(ctx.tmpDir, `${jobId}.thumbnail.jpg`);
  try {
    await extractThumbnailJpeg(videoPath, jpegPath, { atSeconds: thumbnailTime(durationSeconds), width: THUMBNAIL_WIDTH, ffmpegPath: ctx.ffmpeg.ffmpegPath });
    const key = storageKeys.thumbnail(jobId);
    await ctx.storage.putBuffer(key, await fs.promises.readFile(jpegPath));
    return key;
  } catch (error) {
    ctx.logger.warn('thumbnail failed', { jobId, error: String(error) });
    return null;
  } finally {
    await fs.promises.rm(jpegPath, { force: true });
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { describeError, AppError, type TranscriptionRequest } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertTranslatableMedia, probeMedia, summarizeMedia } from '@babelfish/media';
import { JobPriority } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';
import type { Submission } from '@babelfish/pipeline';
import { createThumbnail } from './thumbnails';

/**
 * Turns a received file into a queued job: ffprobe judges the content (not the name or MIME
 * type), the file moves into storage under a server-made key, the job row is written first
 * (source of truth), then the transcription is queued. A transcription-only job (`transcription`
 * given: OpenAI / whisper-asr APIs) gets no thumbnail and no content hash (its transcript is not
 * one a video job may reuse), and jumps the queue: a client is waiting for it.
 */
export async function submitJob(
  deps: ApiDeps,
  file: { path: string; originalName: string; size: number; ownerId: string },
  submission: Submission,
  transcription?: TranscriptionRequest,
): Promise<JobRecord> {
  if (file.size === 0) throw new AppError('UNSUPPORTED_MEDIA', 'The uploaded file is empty');
  const media = await probeMedia(file.path, { ffprobePath: deps.config.ffmpeg.ffprobePath, maxStreams: deps.config.http.maxMediaStreams });
  assertTranslatableMedia(media);
  if (submission.options.burnIn && !media.hasVideo) {
    throw new AppError('BAD_REQUEST', 'burnIn needs a video track; this upload has only audio');
  }
  const limit = deps.config.http.maxDurationSeconds;
  if (media.durationSeconds > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The video lasts ${Math.round(media.durationSeconds)} s; the limit is ${limit} s`);
  }

  // The audio track is chosen now (an audioTrack that does not exist is a 400) and kept on the job.
  const summary = summarizeMedia(media, { from: submission.source, audioTrack: submission.options.audioTrack });

  const id = randomUUID();
  const contentHash = transcription ? null : await sha256File(file.path);
  const thumbnailKey = transcription ? undefined : await createThumbnail(deps, id, file.path, media);
  await deps.storage.putFile(storageKeys.input(id), file.path, { move: true });
  const job = await deps.jobs.create({
    id,
    ownerId: file.ownerId,
    sourceLanguage: submission.source,
    targetLanguages: submission.targets,
    engine: submission.engine,
    originalName: path.basename(file.originalName || 'video').slice(0, 255),
    inputKey: storageKeys.input(id),
    mediaDuration: media.durationSeconds,
    media: summary,
    contentHash,
    options: submission.options,
    transcription: transcription ?? null,
  });
  if (thumbnailKey) await deps.jobs.setThumbnail(id, thumbnailKey);
  try {
    await deps.queues.enqueueTranscription({ jobId: id, run: job.runs }, transcription ? JobPriority.interactive : JobPriority.bulk);
  } catch (error) {
    // The client is told nothing was created, so nothing is: the row and stored copy go, and the
    // received file goes back where it was (a resumable upload stays ready for the retry). The
    // request connection never queues a command for later, so the job cannot appear afterwards.
    deps.logger.warn('could not queue a job; undoing the submission', { jobId: id, error: describeError(error) });
    await undoSubmission(deps, id, file.path).catch((undoError: unknown) =>
      deps.logger.error('undoing a submission failed', { jobId: id, error: describeError(undoError) }),
    );
    throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is not answering, so no job was created; retry shortly', { retryAfterSeconds: 5 }, { cause: error });
  }
  deps.logger.info('job submitted', { jobId: id, targets: submission.targets, source: submission.source });
  return (await deps.jobs.get(id)) ?? job;
}

async function undoSubmission(deps: ApiDeps, jobId: string, receivedPath: string): Promise<void> {
  await deps.storage.withLocalFile(storageKeys.input(jobId), (stored) => fs.promises.copyFile(stored, receivedPath));
  await deps.jobs.delete(jobId);
  await deps.storage.deletePrefix(storageKeys.jobPrefix(jobId));
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

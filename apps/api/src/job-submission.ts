import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { AppError, type TranscriptionRequest } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertTranslatableMedia, probeMedia, reasonForFormat, refusedMedia, sniffSubtitleFile, summarizeMedia } from '@babelfish/media';
import { planSubtitleImport, readSubtitleUpload, type Submission } from '@babelfish/pipeline';
import { JobPriority } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';
import { storeAndQueueJob, type StoredUpload } from './job-queueing';
import { submitSubtitlesAlone } from './subtitle-submission';
import { createThumbnail } from './thumbnails';

export type ReceivedFile = { path: string; originalName: string; size: number };

/**
 * `subtitles`: a subtitle file to use instead of transcribing. `transcription`: a
 * transcription-only job (OpenAI / whisper-asr APIs): no thumbnail and no content hash (its
 * transcript is not one a video job may reuse), and it jumps the queue: a client is waiting.
 */
export type SubmissionExtras = { subtitles?: ReceivedFile; transcription?: TranscriptionRequest };

/**
 * Turns received files into a queued job. The content decides what a file is (never its name
 * or MIME type): a video or audio file (ffprobe judges it), optionally with a subtitle file to
 * use instead of a transcription; or, given alone, a subtitle file to translate.
 */
export async function submitJob(deps: ApiDeps, file: ReceivedFile & { ownerId: string }, submission: Submission, extras: SubmissionExtras = {}): Promise<JobRecord> {
  const { subtitles, transcription } = extras;
  if (file.size === 0) throw new AppError('UNSUPPORTED_MEDIA', 'The uploaded file is empty');
  const fileIsSubtitles = (await sniffSubtitleFile(file.path)) !== undefined;
  // A transcription (OpenAI / whisper-asr APIs) needs speech: a subtitle file there is refused.
  if (fileIsSubtitles && !subtitles && !transcription) return submitSubtitlesAlone(deps, file, submission);
  if (fileIsSubtitles) throw refusedMedia(reasonForFormat('srt'));
  // Read before the probe: a bad subtitle file is refused without looking at the video.
  const imported = subtitles ? await readSubtitleUpload(subtitles.path, deps.config.subtitles) : undefined;

  const media = await probeMedia(file.path, { ffprobePath: deps.config.ffmpeg.ffprobePath, maxStreams: deps.config.http.maxMediaStreams });
  assertTranslatableMedia(media);
  if (submission.options.burnIn && !media.hasVideo) {
    throw new AppError('BAD_REQUEST', 'burnIn needs a video track; this upload has only audio');
  }
  const limit = deps.config.http.maxDurationSeconds;
  if (media.durationSeconds > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The video lasts ${Math.round(media.durationSeconds)} s; the limit is ${limit} s`);
  }
  const plan = imported ? await planSubtitleImport(deps.engines, submission, imported, media, limit) : undefined;
  const source = plan ? plan.source : submission.source;

  // The audio track is chosen now (an audioTrack that does not exist is a 400) and kept on the job.
  const summary = summarizeMedia(media, { from: source, audioTrack: submission.options.audioTrack });

  const id = randomUUID();
  const contentHash = transcription ? null : await sha256File(file.path);
  const thumbnailKey = transcription ? null : await createThumbnail(deps, id, file.path, media);
  const uploads: StoredUpload[] = [{ key: storageKeys.input(id), receivedPath: file.path }];
  if (subtitles) uploads.push({ key: storageKeys.importedSubtitles(id), receivedPath: subtitles.path });
  const job = await storeAndQueueJob(
    deps,
    {
      id,
      ownerId: file.ownerId,
      sourceLanguage: source,
      targetLanguages: submission.targets,
      engine: submission.engine,
      originalName: path.basename(file.originalName || 'video').slice(0, 255),
      inputKey: storageKeys.input(id),
      mediaDuration: media.durationSeconds,
      media: summary,
      contentHash,
      options: plan?.options ?? submission.options,
      transcription: transcription ?? null,
    },
    uploads,
    thumbnailKey,
    transcription ? JobPriority.interactive : JobPriority.bulk,
  );
  deps.logger.info('job submitted', { jobId: id, targets: submission.targets, source, subtitles: plan?.options.importedSubtitles });
  return job;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

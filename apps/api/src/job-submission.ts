import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError, type TranscriptionRequest } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertTranslatableMedia, probeMedia, reasonForFormat, refusedMedia, sniffContainer, sniffSubtitleFile, summarizeMedia, type ImportedSubtitleFile } from '@babelfish/media';
import { planSubtitleImport, readSubtitleUpload, type Submission } from '@babelfish/pipeline';
import { JobPriority } from '@babelfish/queue';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';
import { storeAndQueueJob, type StoredUpload } from './job-queueing';
import { submitSubtitlesAlone } from './subtitle-submission';

export type ReceivedFile = { path: string; originalName: string; size: number };

/**
 * `subtitles`: a subtitle file to use instead of transcribing. `transcription`: a
 * transcription-only job (OpenAI / whisper-asr APIs): no thumbnail and no content hash (its
 * transcript is not one a video job may reuse), and it jumps the queue: a client is waiting.
 */
export type SubmissionExtras = { subtitles?: ReceivedFile; transcription?: TranscriptionRequest };

/**
 * Turns received files into a queued job. The content decides what a file is (never its name
 * or MIME type): a video or audio file, optionally with a subtitle file to use instead of a
 * transcription; or, given alone, a subtitle file to translate. Only what is cheap happens before
 * the answer (a few reads of the file's head); ffprobe judges the media here only when that look
 * cannot, and otherwise in the job's first step, which also hashes the file and makes the thumbnail.
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

  // A plain container with nothing else to check against its streams: answered now, probed by
  // the job's first step (probe-stage.ts). Anything else is probed here, so an unknown or
  // damaged file is refused on the spot, and what the request asks of the streams (a subtitle
  // file's cues within the video, an audioTrack, burnIn's picture) is answered by a 400 at once.
  // A transcription's client waits for the result anyway.
  const streamsAsked = imported !== undefined || submission.options.audioTrack !== undefined || submission.options.burnIn === true;
  const sniffed = streamsAsked || transcription ? undefined : await sniffContainer(file.path);
  const limit = deps.config.http.maxDurationSeconds;
  if (sniffed?.durationSeconds !== undefined && sniffed.durationSeconds > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The video lasts ${Math.round(sniffed.durationSeconds)} s; the limit is ${limit} s`);
  }
  const probed = sniffed ? undefined : await probeSubmission(deps, file, submission, imported);
  const source = probed?.plan ? probed.plan.source : submission.source;

  const id = randomUUID();
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
      mediaDuration: probed?.media.durationSeconds ?? sniffed?.durationSeconds ?? null,
      // The audio track is chosen by the probe (an audioTrack that does not exist is a 400 here, or fails the job).
      media: probed ? summarizeMedia(probed.media, { from: source, audioTrack: submission.options.audioTrack }) : null,
      // The content hash and the thumbnail are the job's first step (probe-stage.ts); a transcription has neither.
      contentHash: null,
      // Probed by the job's first step: held there to this API's limits, whatever the worker's settings.
      options: sniffed ? { ...submission.options, inputLimits: { maxDurationSeconds: limit, maxMediaStreams: deps.config.http.maxMediaStreams } } : (probed?.plan?.options ?? submission.options),
      transcription: transcription ?? null,
    },
    uploads,
    transcription ? JobPriority.interactive : JobPriority.bulk,
  );
  deps.logger.info('job submitted', { jobId: id, targets: submission.targets, source, subtitles: probed?.plan?.options.importedSubtitles, probedLater: sniffed !== undefined });
  return job;
}

/** The full probe before answering, and what it must satisfy (the same checks as probe-stage.ts). */
async function probeSubmission(deps: ApiDeps, file: ReceivedFile, submission: Submission, imported: ImportedSubtitleFile | undefined) {
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
  return { media, plan };
}

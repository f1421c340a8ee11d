import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type EngineName, type Transcript } from '@babelfish/core';
import { assertTranslatableMedia, extractAudioWav, probeMedia, summarizeMedia, type MediaInfo } from '@babelfish/media';
import type { JobRecord } from '@babelfish/db';
import { holdLocalFile, storageKeys, type HeldLocalFile } from '@babelfish/storage';
import type { StageContext } from './context';
import { assertLanguagePlan } from './language-plan';
import { loadJob } from './load-job';
import { createStageReporter } from './progress';
import { EXTRACT_SHARE, storeChunks, type ChunkRange, type MergeJob } from './transcribe-chunks';
import { runImportStage } from './import-stage';
import { runProbeStage } from './probe-stage';
import { saveTranscript } from './transcript-save';
import { reuseEarlierTranscript } from './transcript-reuse';

/**
 * When (and how) a long recording is split for chunk-parallel transcription; the worker passes
 * it, the CLI does not (in one process there is nothing to share the chunks with).
 */
export type ChunkSplit = {
  splitAboveSeconds: number;
  chunkSeconds: number;
  /** Queues the chunk jobs under their merge job. */
  enqueue: (merge: MergeJob, chunks: ChunkRange[]) => Promise<void>;
};

/** Either the transcript, or the number of chunks queued (the merge job produces the transcript). */
export type TranscribeResult = { transcript: Transcript } | { chunks: number };

/**
 * Probe (the full one first, for an upload the API only sniffed) → 16 kHz mono WAV → language (given or detected) → Whisper segments with word
 * timestamps → transcript.json; or, for a recording longer than `split.splitAboveSeconds`,
 * chunks queued for every transcribe worker. Whisper reads the WAV from disk window by window,
 * so memory does not grow with the length of the video. Bad media fails with a permanent
 * AppError, so it is not retried.
 */
/** `signal`: the job was canceled; ffmpeg is killed and Whisper stops before its next windows. */
export async function runTranscribeStage(ctx: StageContext, jobId: string, options: { run?: number; split?: ChunkSplit; signal?: AbortSignal } = {}): Promise<TranscribeResult> {
  const queued = await loadJob(ctx, jobId);
  const progress = createStageReporter(ctx, queued, 'transcribe');
  if (!queued.options.importedSubtitles) progress.report(0, 'Reading the video');
  // One download of the upload for the probe and the extraction (on S3 each read would fetch it).
  const input = holdLocalFile(ctx.storage, queued.inputKey);
  try {
    return await transcribeInput(ctx, queued, input, progress, options);
  } finally {
    await input.release();
  }
}

type StageReporter = ReturnType<typeof createStageReporter>;

async function transcribeInput(
  ctx: StageContext,
  queued: JobRecord,
  input: HeldLocalFile,
  progress: StageReporter,
  options: { run?: number; split?: ChunkSplit; signal?: AbortSignal },
): Promise<TranscribeResult> {
  const jobId = queued.id;
  // What the API left out of the request (the full probe, the content hash, the thumbnail).
  const { job, probed: probedFirst } = await runProbeStage(ctx, queued, input);
  // A job with its own subtitles imports them instead (and never reuses another transcript).
  if (job.options.importedSubtitles) return { transcript: await runImportStage(ctx, job, progress, input) };

  const reused = await reuseEarlierTranscript(ctx, job);
  if (reused) {
    await assertLanguagePlan(ctx.engines, { source: reused.language, targets: job.targetLanguages, engine: job.engine as EngineName | null });
    progress.report(100, 'Reused the transcript of the same video');
    await progress.flush();
    return { transcript: reused };
  }

  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `transcribe-${jobId}-`));
  try {
    const wavPath = path.join(workDir, 'audio.wav');
    const info = await extractInputAudio(ctx, job, await input.path(), wavPath, { probed: probedFirst, progress, signal: options.signal });
    // The upload's copy is not needed while Whisper runs (scratch space on S3 workers).
    await input.release();
    await ctx.jobs.setMediaDuration(jobId, info.durationSeconds);
    const audio = { wavPath };

    const whisper = await ctx.whisper(progress.download);
    let language = job.sourceLanguage;
    let detected: { language: string; probability: number } | undefined;
    if (!language) {
      detected = await whisper.detectLanguage(audio);
      language = detected.language;
      ctx.logger.info('language detected', { jobId, language, probability: detected.probability });
    }
    await ctx.jobs.setLanguages(jobId, { source: language, detected: detected?.language ?? null });
    // A detected language may have no engine for a requested target: fail now, before translating.
    await assertLanguagePlan(ctx.engines, { source: language, targets: job.targetLanguages, engine: job.engine as EngineName | null });

    const split = options.split;
    if (split && info.durationSeconds > split.splitAboveSeconds) {
      const run = options.run ?? job.runs;
      const chunks = await storeChunks(ctx, jobId, run, wavPath, split.chunkSeconds);
      await ctx.storage.putFile(storageKeys.audio(jobId), wavPath, { move: true });
      await split.enqueue(
        { jobId, run, count: chunks.length, language, detected: detected ?? null, durationSeconds: info.durationSeconds },
        chunks,
      );
      ctx.logger.info('transcription split into chunks', { jobId, chunks: chunks.length, durationSeconds: info.durationSeconds });
      progress.report(EXTRACT_SHARE, `Transcribing in ${chunks.length} parts`);
      await progress.flush();
      return { chunks: chunks.length };
    }

    progress.report(EXTRACT_SHARE, 'Transcribing');
    const segments = await whisper.transcribe(audio, {
      language,
      task: 'transcribe',
      signal: options.signal,
      onProgress: (percent) => progress.report(EXTRACT_SHARE + (percent * (100 - EXTRACT_SHARE)) / 100, 'Transcribing'),
    });
    // Stored after transcription: Whisper read it from the work dir while it ran.
    await ctx.storage.putFile(storageKeys.audio(jobId), wavPath, { move: true });
    if (segments.length === 0) {
      throw new AppError('MEDIA_PROCESSING_FAILED', 'No speech was found in the audio track, so there is nothing to translate');
    }
    const transcript: Transcript = {
      language,
      languageDetected: detected !== undefined,
      languageProbability: detected?.probability,
      durationSeconds: info.durationSeconds,
      segments,
    };
    await saveTranscript(ctx, jobId, transcript);
    progress.report(100, 'Transcribed');
    await progress.flush();
    return { transcript };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The job's audio track as 16 kHz mono WAV: the track chosen at submission (jobs from before
 * that was kept choose it now), padded to the video's timeline and downmixed with the dialogue
 * channel in front. Returns what ffprobe found (probed again unless the probe stage just did).
 */
async function extractInputAudio(
  ctx: StageContext,
  job: JobRecord,
  inputPath: string,
  wavPath: string,
  options: { probed?: MediaInfo; progress: StageReporter; signal?: AbortSignal },
): Promise<MediaInfo> {
  const probed = options.probed ?? (await probeMedia(inputPath, { ffprobePath: ctx.ffmpeg.ffprobePath }));
  assertTranslatableMedia(probed);
  const track = job.media?.audio?.track !== undefined ? job.media.audio : summarizeMedia(probed, { from: job.sourceLanguage, audioTrack: job.options.audioTrack }).audio;
  await extractAudioWav(inputPath, wavPath, {
    track: track?.track,
    channelLayout: track?.channelLayout,
    startOffsetSeconds: track?.startOffsetSeconds,
    durationSeconds: probed.durationSeconds,
    ffmpegPath: ctx.ffmpeg.ffmpegPath,
    signal: options.signal,
    onProgress: (percent) => options.progress.report((percent * EXTRACT_SHARE) / 100, 'Extracting audio'),
  });
  return probed;
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type EngineName, type Transcript } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { extractAudioWav, readSubtitleFile } from '@babelfish/media';
import { storageKeys, type HeldLocalFile } from '@babelfish/storage';
import { normalizeCues } from '@babelfish/subtitles';
import type { StageContext } from './context';
import { assertLanguagePlan } from './language-plan';
import type { createStageReporter } from './progress';
import { jobRules } from './source-cues';
import { saveTranscript } from './transcript-save';

type StageReporter = ReturnType<typeof createStageReporter>;
type LanguageDetection = { language: string; probability: number };

/**
 * The transcribe stage of a job that came with a subtitle file: its cues, timed to the job's
 * rules, become the transcript and the source track (origin `import`), and Whisper never
 * transcribes. Whisper only listens when a video came without a source language, to detect it.
 * The file was checked at submission (limits, format), so it is read here without limits.
 * `input`: the transcribe stage's held copy of the video (the probe may have fetched it already).
 */
export async function runImportStage(ctx: StageContext, job: JobRecord, progress: StageReporter, input: HeldLocalFile): Promise<Transcript> {
  progress.report(0, 'Reading the subtitle file');
  const imported = readSubtitleFile(await ctx.storage.getBuffer(storageKeys.importedSubtitles(job.id)));

  let language = job.sourceLanguage;
  let detected: LanguageDetection | undefined;
  if (!language) {
    if (job.options.importedSubtitles?.withoutMedia) throw new AppError('BAD_REQUEST', "A subtitle file alone needs its language (from): there is no speech to detect it from");
    detected = await detectSpokenLanguage(ctx, job, progress, input);
    language = detected.language;
    ctx.logger.info('language detected', { jobId: job.id, language, probability: detected.probability });
  }
  await ctx.jobs.setLanguages(job.id, { source: language, detected: detected?.language ?? null });
  await assertLanguagePlan(ctx.engines, { source: language, targets: job.targetLanguages, engine: job.engine as EngineName | null });

  const durationSeconds = job.mediaDuration ?? Math.max(...imported.cues.map((cue) => cue.end));
  const segments = normalizeCues(imported.cues, jobRules(job, language), durationSeconds);
  if (segments.length === 0) throw new AppError('MEDIA_PROCESSING_FAILED', 'No cue of the subtitle file falls within the video');
  const transcript: Transcript = {
    language,
    languageDetected: detected !== undefined,
    languageProbability: detected?.probability,
    durationSeconds,
    segments,
  };
  await saveTranscript(ctx, job.id, transcript, 'import');
  ctx.logger.info('subtitles imported', { jobId: job.id, format: imported.format, cues: segments.length });
  progress.report(100, `Imported ${segments.length} cues from the ${imported.format.toUpperCase()} file`);
  await progress.flush();
  return transcript;
}

/** The spoken language of the job's audio track, by Whisper's language detection (no transcription). */
async function detectSpokenLanguage(ctx: StageContext, job: JobRecord, progress: StageReporter, input: HeldLocalFile): Promise<LanguageDetection> {
  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `import-${job.id}-`));
  try {
    const wavPath = path.join(workDir, 'audio.wav');
    const track = job.media?.audio;
    await extractAudioWav(await input.path(), wavPath, {
      track: track?.track,
      channelLayout: track?.channelLayout,
      startOffsetSeconds: track?.startOffsetSeconds,
      durationSeconds: job.mediaDuration ?? undefined,
      ffmpegPath: ctx.ffmpeg.ffmpegPath,
      onProgress: (percent) => progress.report(percent / 2, 'Extracting audio to detect its language'),
    });
    await input.release();
    progress.report(50, 'Detecting the spoken language');
    const whisper = await ctx.whisper(progress.download);
    return await whisper.detectLanguage({ wavPath });
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type EngineName, type Transcript } from '@babelfish/core';
import { assertTranslatableMedia, decodePcmF32, extractAudioWav, probeMedia } from '@babelfish/media';
import { storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { assertLanguagePlan } from './language-plan';
import { loadJob } from './load-job';
import { createStageReporter } from './progress';
import { reuseEarlierTranscript } from './transcript-reuse';

/** Extraction is quick next to Whisper; give it the first tenth of the stage's bar. */
const EXTRACT_SHARE = 10;

/**
 * Probe → 16 kHz mono WAV → language (given or detected) → Whisper segments with word
 * timestamps → transcript.json. Bad media fails with a permanent AppError, so it is not retried.
 */
export async function runTranscribeStage(ctx: StageContext, jobId: string): Promise<Transcript> {
  const job = await loadJob(ctx, jobId);
  const progress = createStageReporter(ctx, job, 'transcribe');
  progress.report(0, 'Reading the video');

  const reused = await reuseEarlierTranscript(ctx, job);
  if (reused) {
    await assertLanguagePlan(ctx.engines, { source: reused.language, targets: job.targetLanguages, engine: job.engine as EngineName | null });
    progress.report(100, 'Reused the transcript of the same video');
    await progress.flush();
    return reused;
  }

  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `transcribe-${jobId}-`));
  try {
    const wavPath = path.join(workDir, 'audio.wav');
    const info = await ctx.storage.withLocalFile(job.inputKey, async (inputPath) => {
      const probed = await probeMedia(inputPath, { ffprobePath: ctx.ffmpeg.ffprobePath });
      assertTranslatableMedia(probed);
      await extractAudioWav(inputPath, wavPath, {
        durationSeconds: probed.durationSeconds,
        ffmpegPath: ctx.ffmpeg.ffmpegPath,
        onProgress: (percent) => progress.report((percent * EXTRACT_SHARE) / 100, 'Extracting audio'),
      });
      return probed;
    });
    await ctx.jobs.setMediaDuration(jobId, info.durationSeconds);
    const audio = await decodePcmF32(wavPath, { ffmpegPath: ctx.ffmpeg.ffmpegPath });
    await ctx.storage.putFile(storageKeys.audio(jobId), wavPath, { move: true });

    const whisper = await ctx.whisper();
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

    progress.report(EXTRACT_SHARE, 'Transcribing');
    const segments = await whisper.transcribe(audio, {
      language,
      task: 'transcribe',
      onProgress: (percent) => progress.report(EXTRACT_SHARE + (percent * (100 - EXTRACT_SHARE)) / 100, 'Transcribing'),
    });
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
    // The full transcript (with word timings) stays in storage; the editable track goes in the database.
    await ctx.storage.putBuffer(storageKeys.transcript(jobId), JSON.stringify(transcript));
    await ctx.subtitles.save({ jobId, language, kind: 'source', origin: 'engine', segments });
    progress.report(100, 'Transcribed');
    await progress.flush();
    return transcript;
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

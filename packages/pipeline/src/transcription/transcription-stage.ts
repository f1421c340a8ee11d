import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type EngineName, type Transcript } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { assertTranslatableMedia, extractAudioWav, openWav, probeMedia, summarizeMedia } from '@babelfish/media';
import { SAMPLE_RATE } from '@babelfish/ml';
import { storageKeys } from '@babelfish/storage';
import type { StageContext } from '../context';
import { assertLanguagePlan } from '../language-plan';
import { loadJob } from '../load-job';
import { createStageReporter } from '../progress';
import type { LanguageDetectionResult } from './result';

/** Where a transcription-only job keeps what its finish step writes out. */
export const transcriptionKeys = {
  detection: (jobId: string) => `${storageKeys.jobPrefix(jobId)}/detection.json`,
};

/** What follows the transcription: an engine translation (translate queue), or the finish step. */
export type TranscriptionNext = { next: 'translate'; languages: string[] } | { next: 'finish' };

/** whisper-asr-webservice's detect-language looks at the first 30 s only. */
const DETECTION_SECONDS = 30;

/**
 * The transcribe step of a transcription-only job (OpenAI / whisper-asr APIs): probe, 16 kHz
 * WAV, then either the language of the first 30 s, or Whisper's transcript (its translate task
 * when the answer is to be English and the speech is not), saved as the job's transcript. A
 * translation into another language is left to the translate queue. Unlike a video job there is
 * no thumbnail, no stored audio and no chunking (a client waits for this one); `signal` stops
 * Whisper before its next batch of windows when the client has gone.
 */
export async function runTranscriptionStage(ctx: StageContext, jobId: string, signal?: AbortSignal): Promise<TranscriptionNext> {
  const job = await loadJob(ctx, jobId);
  const request = job.transcription;
  if (!request) throw new AppError('INTERNAL', `Job ${jobId} is not a transcription-only job`);
  const progress = createStageReporter(ctx, job, 'transcribe');
  progress.report(0, 'Reading the audio');
  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `transcription-${jobId}-`));
  try {
    const wavPath = path.join(workDir, 'audio.wav');
    const detectOnly = request.task === 'detect-language';
    const durationSeconds = await extract(ctx, job, wavPath, detectOnly ? DETECTION_SECONDS : undefined, (percent) => progress.report(percent / 10, 'Extracting audio'));
    // The model the request named (validated by the API against what is installed), else WHISPER_MODEL.
    const whisper = await ctx.whisper(progress.download, request.whisperModel);
    ctx.logger.info('transcription model', { jobId, modelId: whisper.modelId, prompt: request.prompt !== undefined, temperature: request.temperature });
    abortIfCanceled(signal);

    if (detectOnly) {
      const detected = await whisper.detectLanguage(await firstSeconds(wavPath, DETECTION_SECONDS));
      const result: LanguageDetectionResult = { language: detected.language, probability: detected.probability };
      await ctx.storage.putBuffer(transcriptionKeys.detection(jobId), JSON.stringify(result));
      await ctx.jobs.setLanguages(jobId, { source: detected.language, detected: detected.language });
      progress.report(100, 'Language detected');
      await progress.flush();
      return { next: 'finish' };
    }

    let spoken = job.sourceLanguage;
    let detected: { language: string; probability: number } | undefined;
    if (!spoken) {
      detected = await whisper.detectLanguage({ wavPath });
      spoken = detected.language;
    }
    await ctx.jobs.setLanguages(jobId, { source: spoken, detected: detected?.language ?? null });
    const target = job.targetLanguages[0];
    // Into English, Whisper translates by itself (as OpenAI's translations endpoint does).
    const whisperTranslates = target === 'en' && spoken !== 'en';
    const engineTranslates = target !== undefined && target !== spoken && !whisperTranslates;
    if (engineTranslates) await assertLanguagePlan(ctx.engines, { source: spoken, targets: [target], engine: job.engine as EngineName | null });

    progress.report(10, 'Transcribing');
    const segments = await whisper.transcribe(
      { wavPath },
      {
        language: spoken,
        task: whisperTranslates ? 'translate' : 'transcribe',
        withTokens: true,
        prompt: request.prompt,
        temperature: request.temperature,
        signal,
        onProgress: (percent) => progress.report(10 + (percent * 90) / 100, 'Transcribing'),
      },
    );
    const textLanguage = whisperTranslates ? 'en' : spoken;
    const transcript: Transcript = { language: textLanguage, languageDetected: detected !== undefined, languageProbability: detected?.probability, durationSeconds, segments };
    // Silence is an answer here (an empty transcript, as Whisper gives), not a failed job.
    await ctx.storage.putBuffer(storageKeys.transcript(jobId), JSON.stringify(transcript));
    await ctx.subtitles.save({ jobId, language: textLanguage, kind: whisperTranslates ? 'translation' : 'source', origin: 'engine', segments });
    progress.report(100, 'Transcribed');
    await progress.flush();
    return engineTranslates ? { next: 'translate', languages: [target] } : { next: 'finish' };
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

export function abortIfCanceled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CANCELED', 'The transcription was canceled');
}

/** The upload's chosen audio track as a 16 kHz WAV (the first `maxSeconds` only, when given); its duration. */
async function extract(ctx: StageContext, job: JobRecord, wavPath: string, maxSeconds: number | undefined, onProgress: (percent: number) => void): Promise<number> {
  return ctx.storage.withLocalFile(job.inputKey, async (inputPath) => {
    const probed = await probeMedia(inputPath, { ffprobePath: ctx.ffmpeg.ffprobePath });
    assertTranslatableMedia(probed);
    const track = job.media?.audio?.track !== undefined ? job.media.audio : summarizeMedia(probed, { from: job.sourceLanguage, audioTrack: job.options.audioTrack }).audio;
    const seconds = maxSeconds === undefined ? probed.durationSeconds : Math.min(maxSeconds, probed.durationSeconds);
    await extractAudioWav(inputPath, wavPath, {
      track: track?.track,
      channelLayout: track?.channelLayout,
      startOffsetSeconds: track?.startOffsetSeconds,
      durationSeconds: seconds,
      maxSeconds,
      ffmpegPath: ctx.ffmpeg.ffmpegPath,
      onProgress,
    });
    return probed.durationSeconds;
  });
}

async function firstSeconds(wavPath: string, seconds: number): Promise<Float32Array> {
  const wav = await openWav(wavPath);
  try {
    return await wav.read(0, seconds * SAMPLE_RATE);
  } finally {
    await wav.close();
  }
}

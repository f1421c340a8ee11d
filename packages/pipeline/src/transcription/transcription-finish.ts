import { AppError, isTerminalStatus, type Transcript, type TranscriptionRequest } from '@babelfish/core';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import type { StageContext } from '../context';
import { loadJob, readJson } from '../load-job';
import { progressEvent } from '../progress';
import { renderOpenAi } from './openai-format';
import type { LanguageDetectionResult, TranscriptionResult } from './result';
import { transcriptionKeys } from './transcription-stage';
import { detectionJson, renderWhisperAsr } from './whisper-asr-format';

/**
 * The last step of a transcription-only job, in place of the mux: the answer in the format the
 * caller asked for becomes the job's one output (`kind: transcription`, downloadable from the
 * dashboard like any output), and the job completes, unless it was canceled meanwhile.
 */
export async function runTranscriptionFinish(ctx: StageContext, jobId: string): Promise<void> {
  const job = await loadJob(ctx, jobId);
  const request = job.transcription;
  if (!request) throw new AppError('INTERNAL', `Job ${jobId} is not a transcription-only job`);
  if (isTerminalStatus(job.status)) return; // canceled, or finished by an earlier run
  const body = await renderBody(ctx, jobId, request, job.targetLanguages[0]);
  const name = `${safeFileStem(job.originalName, 'audio')}.${extensionOf(request)}`;
  const object = await ctx.storage.putBuffer(storageKeys.output(jobId, name), body);
  await ctx.jobs.replaceOutputs(jobId, [{ kind: 'transcription', language: null, name, storageKey: object.key, bytes: object.bytes }]);
  if (!(await ctx.jobs.completeIfRunning(jobId))) return;
  const completed = await loadJob(ctx, jobId);
  await ctx.publish(progressEvent(completed, 'completed', { stage: 'mux', stagePercent: 100, percent: 100, message: 'Completed' }));
}

async function renderBody(ctx: StageContext, jobId: string, request: TranscriptionRequest, target: string | undefined): Promise<string> {
  if (request.task === 'detect-language') {
    return JSON.stringify(detectionJson(await readJson<LanguageDetectionResult>(ctx, transcriptionKeys.detection(jobId))));
  }
  const transcript = await readJson<Transcript>(ctx, storageKeys.transcript(jobId));
  const job = await loadJob(ctx, jobId);
  const spokenLanguage = job.sourceLanguage ?? transcript.language;
  // Translated by an engine: the translate step saved that language's track.
  const translated = target && target !== transcript.language ? await ctx.subtitles.latest(jobId, target) : undefined;
  const result: TranscriptionResult = {
    task: request.task,
    spokenLanguage,
    textLanguage: translated ? target! : transcript.language,
    durationSeconds: transcript.durationSeconds,
    segments: translated?.segments ?? transcript.segments,
  };
  return request.api === 'openai' ? renderOpenAi(request.format, result, request) : renderWhisperAsr(request.format, result, request);
}

function extensionOf(request: TranscriptionRequest): string {
  if (request.task === 'detect-language') return 'language.json';
  if (request.api === 'openai') return request.format === 'verbose_json' ? 'verbose.json' : request.format === 'text' ? 'txt' : request.format;
  return request.format;
}

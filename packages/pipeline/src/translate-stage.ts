import { AppError, type EngineName, type Transcript, type Translation } from '@babelfish/core';
import { decodePcmF32 } from '@babelfish/media';
import type { TranslationReport } from '@babelfish/ml';
import { storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { loadJob, readJson } from './load-job';
import { createStageReporter } from './progress';
import { translateInContext } from './contextual-translation';
import { jobRules } from './source-cues';
import { assertTextEngine } from './subtitle-import';

/**
 * Translates the source track (its latest version, so edits to the transcript carry through)
 * into one target language, sentence by sentence with the job's glossary, cuts it into cues by
 * the job's subtitle rules and saves it as that language's next subtitle version.
 */
/** `signal`: the job was canceled; the engine stops (llm: its requests are aborted) and nothing is saved. */
export async function runTranslateStage(ctx: StageContext, jobId: string, language: string, options: { signal?: AbortSignal } = {}): Promise<Translation> {
  const job = await loadJob(ctx, jobId);
  const progress = createStageReporter(ctx, job, 'translate', language);
  progress.report(0, `Translating to ${language}`);
  const transcript = await readJson<Transcript>(ctx, storageKeys.transcript(jobId));
  const sourceSegments = (await ctx.subtitles.latest(jobId, transcript.language))?.segments ?? transcript.segments;

  let translation: Translation;
  let report: TranslationReport | undefined;
  if (transcript.language === language) {
    // Same language: the transcript already is the subtitle text.
    translation = { sourceLanguage: language, targetLanguage: language, engine: 'whisper', segments: sourceSegments };
  } else {
    // The job's engine or, when it named none, the best available; a named engine that cannot
    // take the detected pair fails the job (ENGINE_UNAVAILABLE) rather than being swapped.
    const engine = await ctx.engines.resolve(transcript.language, language, (job.engine ?? undefined) as EngineName | undefined, { llmModel: job.options.llmModel });
    // Imported subtitles have no transcribed audio to go with them (a language added later, say).
    if (job.options.importedSubtitles) assertTextEngine(engine, transcript.language, language);
    const translated = await translateInContext({
      engine,
      sourceSegments,
      transcript,
      to: language,
      glossary: job.options.glossary,
      rules: jobRules(job, language),
      // Only the whisper engine listens to the audio; others never call this.
      audio: () => ctx.storage.withLocalFile(storageKeys.audio(jobId), (file) => decodePcmF32(file, { ffmpegPath: ctx.ffmpeg.ffmpegPath, signal: options.signal })),
      onProgress: (percent) => progress.report(percent),
      onDownload: progress.download,
      llm: { model: job.options.llmModel, style: job.options.style },
      signal: options.signal,
    });
    // An engine that returned anyway (its last batch was in flight) must not save a canceled job's subtitles.
    if (options.signal?.aborted) throw new AppError('CANCELED', 'The translation was canceled');
    const { segments, missingTerms } = translated;
    report = translated.report;
    if (report) {
      const fields = { jobId, language, ...report };
      if (report.fallbackLines > 0) ctx.logger.warn(`${report.fallbackLines} line(s) translated by ${report.fallbackEngine} after bad ${report.engine} replies`, fields);
      else ctx.logger.info('translation report', fields);
      if (report.summaryProblem) ctx.logger.warn(`the ${report.engine} summary call failed, so its prompts carry the transcript's opening instead: ${report.summaryProblem}`, fields);
      // Read back by the mux stage for the job's quality report.
      await ctx.storage.putBuffer(storageKeys.translationReport(jobId, language), JSON.stringify(report));
    }
    if (missingTerms.length > 0) ctx.logger.warn('glossary terms lost by the engine', { jobId, language, engine: engine.name, terms: missingTerms });
    translation = { sourceLanguage: transcript.language, targetLanguage: language, engine: engine.name, segments };
  }
  if (!translation.segments.some((segment) => segment.text.trim().length > 0)) {
    throw new AppError('TRANSLATION_FAILED', `The ${translation.engine} engine returned no text for ${transcript.language} → ${language}`);
  }
  // Same language as the source: the source track already is this language's subtitles.
  if (translation.targetLanguage !== transcript.language) {
    await ctx.subtitles.save({ jobId, language, kind: 'translation', origin: 'engine', segments: translation.segments });
    // The engine used and what it spent, on the job itself (the job view, the CLI, the dashboard).
    await ctx.jobs.recordTranslation(jobId, language, {
      engine: translation.engine,
      ...(report?.model ? { model: report.model } : {}),
      ...(report?.fallbackEngine ? { fallbackEngine: report.fallbackEngine } : {}),
      fallbackLines: report?.fallbackLines ?? 0,
      promptTokens: report?.promptTokens ?? 0,
      completionTokens: report?.completionTokens ?? 0,
    });
  }
  progress.report(100, `Translated to ${language}`);
  await progress.flush();
  return translation;
}

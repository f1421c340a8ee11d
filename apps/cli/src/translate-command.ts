import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '@babelfish/core';
import type { Config } from '@babelfish/config';
import type { JobRecord } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { assertTranslatableMedia, probeMedia, reasonForFormat, refusedMedia, sniffSubtitleFile, summarizeMedia, type MediaInfo } from '@babelfish/media';
import { createServices, parseSubmission, planSubtitleImport, readSubtitleUpload, runJobInProcess } from '@babelfish/pipeline';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import { createProgressBar } from './progress-bar';

export type TranslateOptions = {
  /** The video or audio file, or a subtitle file alone (SRT, WebVTT, ASS) to translate. */
  video: string;
  /** A subtitle file to use instead of transcribing the video. */
  subtitles?: string;
  to: string[];
  from?: string;
  engine?: string;
  out: string;
  /** Path of a glossary JSON file ({ terms, byLanguage, doNotTranslate }). */
  glossaryFile?: string;
  burnIn?: boolean;
  dub?: boolean;
  /** As typed (validated like the API's field): from 0 among the audio tracks. */
  audioTrack?: string;
  /** With engine llm: another model on the configured server, and a style note (validated like the API's). */
  llmModel?: string;
  style?: string;
  /** Also write `<stem>.<source>-<target>.srt/.vtt/.ass`: the source line above each translation. */
  bilingual?: boolean;
  /** Per-job subtitle rules over each language's defaults (`maxCharsPerLine`…), as typed; checked like the API's. */
  subtitleRules?: Record<string, string>;
};

/** The files written and, per target language, the engine that translated it and its tokens. */
export type TranslateResult = { written: string[]; job: JobRecord };

/**
 * `babelfish translate`: the same stage code as the workers, run in-process (no Redis), with
 * the job recorded in the configured database like any other.
 */
export async function translateCommand(config: Config, logger: Logger, options: TranslateOptions): Promise<TranslateResult> {
  const videoPath = await existingFile(options.video);
  const givenSubtitles = options.subtitles === undefined ? undefined : await existingFile(options.subtitles);
  // By content, as in the API: a subtitle file given alone is translated into subtitle files.
  const inputIsSubtitles = (await sniffSubtitleFile(videoPath)) !== undefined;
  if (inputIsSubtitles && givenSubtitles) throw refusedMedia(reasonForFormat('srt'));
  const subtitlesPath = inputIsSubtitles ? videoPath : givenSubtitles;

  const bar = createProgressBar();
  const services = await createServices(config, { logger, publish: (event) => bar.update(event) });
  try {
    // The same validation as the API's: languages, engine, glossary limits, options. A named
    // engine that cannot run here stops the command now, before Whisper starts.
    const submission = await parseSubmission(
      {
        to: options.to,
        from: options.from,
        engine: options.engine,
        burnIn: options.burnIn,
        dub: options.dub,
        audioTrack: options.audioTrack,
        llmModel: options.llmModel,
        style: options.style,
        bilingual: options.bilingual,
        subtitleRules: options.subtitleRules,
        glossary: options.glossaryFile ? await readGlossaryFile(options.glossaryFile) : undefined,
      },
      services.ctx.engines,
      config.defaultEngine,
    );
    const imported = subtitlesPath ? await readSubtitleUpload(subtitlesPath, config.subtitles) : undefined;
    let media: MediaInfo | undefined;
    if (!inputIsSubtitles) {
      media = await probeMedia(videoPath, { ffprobePath: config.ffmpeg.ffprobePath, maxStreams: config.http.maxMediaStreams });
      assertTranslatableMedia(media);
    }
    const plan = imported ? await planSubtitleImport(services.ctx.engines, submission, imported, media, config.http.maxDurationSeconds) : undefined;
    const source = plan ? plan.source : submission.source;

    const id = randomUUID();
    if (!inputIsSubtitles) await services.ctx.storage.putFile(storageKeys.input(id), videoPath);
    if (subtitlesPath) await services.ctx.storage.putFile(storageKeys.importedSubtitles(id), subtitlesPath);
    await services.ctx.jobs.create({
      id,
      sourceLanguage: source,
      targetLanguages: submission.targets,
      engine: submission.engine,
      options: plan?.options ?? submission.options,
      originalName: path.basename(videoPath),
      inputKey: inputIsSubtitles ? storageKeys.importedSubtitles(id) : storageKeys.input(id),
      mediaDuration: media?.durationSeconds ?? plan?.durationSeconds,
      media: media ? summarizeMedia(media, { from: source, audioTrack: submission.options.audioTrack }) : null,
    });
    const outputs = await runJobInProcess(services.ctx, id);
    bar.done();

    const outDir = path.resolve(options.out);
    await fs.mkdir(outDir, { recursive: true });
    const written: string[] = [];
    for (const output of outputs) {
      const target = path.join(outDir, output.name);
      await services.ctx.storage.withLocalFile(output.storageKey, (file) => fs.copyFile(file, target));
      written.push(target);
    }
    const job = await services.ctx.jobs.get(id);
    if (!job) throw new AppError('INTERNAL', `The job ${id} vanished from the database`);
    return { written, job };
  } finally {
    await services.close();
  }
}

async function existingFile(file: string): Promise<string> {
  const resolved = path.resolve(file);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat?.isFile()) throw new AppError('BAD_REQUEST', `No such file: ${file}`);
  return resolved;
}

export function defaultOutDir(video: string): string {
  return path.join('out', safeFileStem(path.basename(video)));
}

async function readGlossaryFile(file: string): Promise<string> {
  const text = await fs.readFile(path.resolve(file), 'utf8').catch(() => {
    throw new AppError('BAD_REQUEST', `Cannot read the glossary file ${file}`);
  });
  return text;
}

/** "es: llm (qwen2.5:7b), 1 234 + 321 tokens" per translated language, and the total when tokens were spent. */
export function describeTranslations(job: JobRecord): string[] {
  const lines = job.targetLanguages.flatMap((language) => {
    const entry = job.translations[language];
    if (!entry) return [`  ${language}: the transcript itself (same language as spoken)`];
    const model = entry.model ? ` (${entry.model})` : '';
    const tokens = entry.promptTokens + entry.completionTokens > 0 ? `, ${entry.promptTokens} prompt + ${entry.completionTokens} completion tokens` : '';
    const fallback = entry.fallbackLines > 0 ? `, ${entry.fallbackLines} line(s) by ${entry.fallbackEngine}` : '';
    return [`  ${language}: ${entry.engine}${model}${tokens}${fallback}`];
  });
  const { promptTokens, completionTokens } = job.usage;
  if (promptTokens + completionTokens > 0) lines.push(`  tokens in all: ${promptTokens} prompt + ${completionTokens} completion = ${promptTokens + completionTokens}`);
  return lines;
}

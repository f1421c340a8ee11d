import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '@babelfish/core';
import type { Config } from '@babelfish/config';
import type { JobRecord } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { assertTranslatableMedia, probeMedia, summarizeMedia } from '@babelfish/media';
import { createServices, parseSubmission, runJobInProcess } from '@babelfish/pipeline';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import { createProgressBar } from './progress-bar';

export type TranslateOptions = {
  video: string;
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
};

/** The files written and, per target language, the engine that translated it and its tokens. */
export type TranslateResult = { written: string[]; job: JobRecord };

/**
 * `babelfish translate`: the same stage code as the workers, run in-process (no Redis), with
 * the job recorded in the configured database like any other.
 */
export async function translateCommand(config: Config, logger: Logger, options: TranslateOptions): Promise<TranslateResult> {
  const videoPath = path.resolve(options.video);
  const stat = await fs.stat(videoPath).catch(() => undefined);
  if (!stat?.isFile()) throw new AppError('BAD_REQUEST', `No such file: ${options.video}`);

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
        glossary: options.glossaryFile ? await readGlossaryFile(options.glossaryFile) : undefined,
      },
      services.ctx.engines,
      config.defaultEngine,
    );
    const media = await probeMedia(videoPath, { ffprobePath: config.ffmpeg.ffprobePath, maxStreams: config.http.maxMediaStreams });
    assertTranslatableMedia(media);
    const summary = summarizeMedia(media, { from: submission.source, audioTrack: submission.options.audioTrack });

    const id = randomUUID();
    await services.ctx.storage.putFile(storageKeys.input(id), videoPath);
    await services.ctx.jobs.create({
      id,
      sourceLanguage: submission.source,
      targetLanguages: submission.targets,
      engine: submission.engine,
      options: submission.options,
      originalName: path.basename(videoPath),
      inputKey: storageKeys.input(id),
      mediaDuration: media.durationSeconds,
      media: summary,
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

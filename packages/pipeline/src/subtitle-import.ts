import fs from 'node:fs/promises';
import { AppError, findLanguage, type EngineName, type JobOptions } from '@babelfish/core';
import type { SubtitleLimits } from '@babelfish/config';
import { readSubtitleFile, subtitleText, type ImportedSubtitleFile } from '@babelfish/media';
import type { EngineRegistry, TranslationEngine } from '@babelfish/ml';
import { assertLanguagePlan } from './language-plan';
import type { Submission } from './submission';

/**
 * Subtitle import at submission, the same for the API and the CLI: the file is read within the
 * configured limits and the job's source language and options are settled. Nothing is stored
 * here, so a refused file leaves nothing behind.
 */

/** Reads a received subtitle file; refused (4xx) when empty, too large, not subtitles or without a cue. */
export async function readSubtitleUpload(file: string, limits: SubtitleLimits): Promise<ImportedSubtitleFile> {
  const { size } = await fs.stat(file);
  if (size === 0) throw new AppError('BAD_REQUEST', 'The subtitle file is empty');
  if (size > limits.maxImportBytes) {
    // A video sent as subtitles is told it is no subtitle file, not that it is too large.
    subtitleText(await readHead(file, 4096));
    throw new AppError('PAYLOAD_TOO_LARGE', `The subtitle file is ${size} bytes; the limit is ${limits.maxImportBytes}`, { limit: limits.maxImportBytes });
  }
  return readSubtitleFile(await fs.readFile(file), limits);
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export type SubtitleImportPlan = {
  /** The source language: the submitter's, else the one the file names; null = detect from the video's speech. */
  source: string | null;
  options: JobOptions;
  /** A subtitle file alone lasts until its last cue ends. */
  durationSeconds?: number;
};

/**
 * The job fields for an import. The source language is required for a subtitle file alone
 * (there is no speech to detect it from) unless the file names it (WebVTT's `Language:`); with
 * a video, Whisper may detect it from the audio. Only text engines can translate imported text.
 */
export async function planSubtitleImport(
  engines: EngineRegistry,
  submission: Submission,
  imported: ImportedSubtitleFile,
  media: { durationSeconds: number } | undefined,
  maxDurationSeconds: number,
): Promise<SubtitleImportPlan> {
  if (submission.engine === 'whisper') {
    throw new AppError('BAD_REQUEST', 'The whisper engine translates the speech it hears, not subtitles: choose a text engine or leave engine out');
  }
  if (!media && (submission.options.burnIn || submission.options.dub || submission.options.audioTrack !== undefined)) {
    throw new AppError('BAD_REQUEST', 'burnIn, dub and audioTrack need a video; a subtitle file alone gives subtitle files only');
  }
  const named = imported.language ? findLanguage(imported.language.split(/[-_]/)[0]!)?.code : undefined;
  const source = submission.source ?? named ?? null;
  if (!source && !media) {
    throw new AppError('BAD_REQUEST', "Give the subtitles' language as from (e.g. from=en): a subtitle file alone has no speech to detect it from");
  }
  if (source) {
    await assertLanguagePlan(engines, { source, targets: submission.targets, engine: submission.engine });
    for (const target of submission.targets.filter((code) => code !== source)) {
      assertTextEngine(await engines.resolve(source, target, submission.engine ?? undefined), source, target);
    }
  }

  const lastEnd = Math.max(...imported.cues.map((cue) => cue.end));
  if (media && !imported.cues.some((cue) => cue.start < media.durationSeconds)) {
    throw new AppError('BAD_REQUEST', `No cue of the subtitle file starts within the video's ${Math.round(media.durationSeconds)} s`);
  }
  if (!media && lastEnd > maxDurationSeconds) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The subtitles run for ${Math.round(lastEnd)} s; the limit is ${maxDurationSeconds} s`);
  }
  const importedSubtitles = { format: imported.format, cues: imported.cues.length, ...(media ? {} : { withoutMedia: true }) };
  return { source, options: { ...submission.options, importedSubtitles }, ...(media ? {} : { durationSeconds: lastEnd }) };
}

/**
 * Whisper is the only engine for some pairs (speech → English), but it listens to the audio:
 * it cannot translate imported text, and a subtitle file alone has no audio at all.
 */
export function assertTextEngine(engine: TranslationEngine, from: string, to: string): void {
  if ((engine.name as EngineName) !== 'whisper') return;
  throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `Only the whisper engine translates ${from} → ${to}, and it translates speech, not imported subtitles`);
}

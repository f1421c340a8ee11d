import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, getLanguage, type OutputKind, type Segment, type Transcript } from '@babelfish/core';
import type { OutputRecord } from '@babelfish/db';
import { muxSubtitles, toSrt, toWebVtt } from '@babelfish/media';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { loadJob, readJson } from './load-job';
import { createStageReporter, progressEvent } from './progress';

type PlannedOutput = { kind: OutputKind; language: string | null; name: string; localPath: string };

/**
 * Writes SRT + WebVTT per language (the source transcript too, for review) and an MP4 and an
 * MKV that carry every target language as a soft subtitle track; then records the outputs
 * and completes the job.
 */
export async function runMuxStage(ctx: StageContext, jobId: string): Promise<OutputRecord[]> {
  const job = await loadJob(ctx, jobId);
  const progress = createStageReporter(ctx, job, 'mux');
  progress.report(0, 'Writing subtitles');
  const transcript = await readJson<Transcript>(ctx, storageKeys.transcript(jobId));
  // The latest version of each track, so a re-mux after an edit picks the edit up.
  const trackSegments = async (language: string): Promise<Segment[]> => {
    const track = await ctx.subtitles.latest(jobId, language);
    if (!track) throw new AppError('NOT_FOUND', `No ${language} subtitles exist for job ${jobId}; translate it first`);
    return track.segments;
  };
  const translations = await Promise.all(
    job.targetLanguages.map(async (language) => ({ targetLanguage: language, segments: await trackSegments(language) })),
  );

  const stem = safeFileStem(job.originalName);
  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `mux-${jobId}-`));
  try {
    const planned: PlannedOutput[] = [];
    const writeSubtitles = async (language: string, segments: Segment[]) => {
      for (const [kind, render] of [['srt', toSrt], ['vtt', toWebVtt]] as const) {
        const name = `${stem}.${language}.${kind}`;
        const localPath = path.join(workDir, name);
        await fs.writeFile(localPath, render(segments), 'utf8');
        planned.push({ kind, language, name, localPath });
      }
    };
    for (const translation of translations) await writeSubtitles(translation.targetLanguage, translation.segments);
    if (!job.targetLanguages.includes(transcript.language)) await writeSubtitles(transcript.language, await trackSegments(transcript.language));

    const tracks = translations.map((translation) => {
      const language = getLanguage(translation.targetLanguage);
      return { path: path.join(workDir, `${stem}.${language.code}.srt`), language, title: language.name };
    });
    const containers = ['mp4', 'mkv'] as const;
    await ctx.storage.withLocalFile(job.inputKey, async (video) => {
      for (const [index, container] of containers.entries()) {
        const name = `${stem}.subtitled.${container}`;
        const localPath = path.join(workDir, name);
        await muxSubtitles({
          video,
          tracks,
          output: localPath,
          container,
          durationSeconds: job.mediaDuration ?? undefined,
          ffmpegPath: ctx.ffmpeg.ffmpegPath,
          onProgress: (percent) => progress.report(((index + percent / 100) * 95) / containers.length, `Muxing ${container.toUpperCase()}`),
        });
        planned.push({ kind: container, language: null, name, localPath });
      }
    });

    const stored = [];
    for (const output of planned) {
      const object = await ctx.storage.putFile(storageKeys.output(jobId, output.name), output.localPath, { move: true });
      stored.push({ kind: output.kind, language: output.language, name: output.name, storageKey: object.key, bytes: object.bytes });
    }
    const records = await ctx.jobs.replaceOutputs(jobId, stored);
    progress.report(100, 'Done');
    await progress.flush();
    await ctx.jobs.markCompleted(jobId);
    const completed = await loadJob(ctx, jobId);
    await ctx.publish(progressEvent(completed, 'completed', { stage: 'mux', stagePercent: 100, percent: 100, message: 'Completed' }));
    return records;
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, getLanguage, type Segment, type Transcript } from '@babelfish/core';
import type { OutputRecord } from '@babelfish/db';
import { muxSubtitles, probeMedia, summarizeMedia, toAss, toSrt, toWebVtt, type SubtitleTrack } from '@babelfish/media';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { loadJob, readJson } from './load-job';
import { createStageReporter, progressEvent } from './progress';
import { bilingualMuxTrack, bilingualTracks, writeBilingualTrack } from './bilingual-tracks';
import { makeExtraOutputs, type PlannedOutput } from './extra-outputs';
import { recordQuality, type CheckedTrack } from './quality-report';
import { cuesForTrack, jobRules } from './source-cues';

/**
 * Writes SRT + WebVTT + ASS per language (the source transcript too, for review), bilingual
 * files when the job asked for them, and an MP4 and an MKV that carry every target language as
 * a soft subtitle track (first the bilingual ones, then the plain ones, then the source language
 * as "English (original)", never the default), plus the burned-in and dubbed videos when the
 * job asked for them (a job made from a subtitle file alone gets the subtitle files only);
 * checks the subtitles' quality, records the outputs and completes the job.
 */
/** `signal`: the job was canceled; the ffmpeg runs are killed and nothing is stored. */
export async function runMuxStage(ctx: StageContext, jobId: string, options: { signal?: AbortSignal } = {}): Promise<OutputRecord[]> {
  const job = await loadJob(ctx, jobId);
  const progress = createStageReporter(ctx, job, 'mux');
  progress.report(0, 'Writing subtitles');
  const transcript = await readJson<Transcript>(ctx, storageKeys.transcript(jobId));
  // The latest version of each track, so a re-mux after an edit picks the edit up.
  const checked: CheckedTrack[] = [];
  const trackSegments = async (language: string): Promise<Segment[]> => {
    const track = await cuesForTrack(ctx, job, transcript, language);
    checked.push({ language, ...track });
    return track.segments;
  };
  const translations: { targetLanguage: string; segments: Segment[] }[] = [];
  for (const language of job.targetLanguages) translations.push({ targetLanguage: language, segments: await trackSegments(language) });
  // The source language's own track (for review, the videos' original-language track and the
  // top lines of bilingual cues), unless it is also a target and so already among them.
  const sourceLanguage = transcript.language;
  const wantsSourceTrack = !job.targetLanguages.includes(sourceLanguage);
  const sourceSegments = wantsSourceTrack
    ? await trackSegments(sourceLanguage)
    : (translations.find((translation) => translation.targetLanguage === sourceLanguage)?.segments ?? []);

  const stem = safeFileStem(job.originalName);
  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `mux-${jobId}-`));
  try {
    const planned: PlannedOutput[] = [];
    const rules = jobRules(job);
    const rulesFor = (language: string) => jobRules(job, language);
    // Files are named by the table's code (`talk.zh-Hant.srt`), also for jobs stored with an older form (`zh`).
    const fileName = (language: string, kind: string) => `${stem}.${getLanguage(language).code}.${kind}`;
    const srtPath = (language: string) => path.join(workDir, fileName(language, 'srt'));
    const writeSubtitles = async (language: string, segments: Segment[], picture: { width?: number; height?: number }) => {
      const ass = (cues: readonly Segment[]) => toAss(cues, { ...picture, language, title: `${stem} (${language})`, maxCharsPerLine: rulesFor(language).maxCharsPerLine });
      const vtt = (cues: readonly Segment[]) => toWebVtt(cues, { language });
      for (const [kind, render] of [['srt', toSrt], ['vtt', vtt], ['ass', ass]] as const) {
        const name = fileName(language, kind);
        const localPath = path.join(workDir, name);
        await fs.writeFile(localPath, render(segments), 'utf8');
        planned.push({ kind, language, name, localPath });
      }
    };
    const bilingual = job.options.bilingual
      ? bilingualTracks({ language: sourceLanguage, segments: sourceSegments, rules: rulesFor(sourceLanguage) }, translations, workDir, stem)
      : [];
    for (const track of bilingual) checked.push({ language: track.language, kind: 'bilingual', segments: [], bilingual: { cues: track.cues, sourceLanguage } });

    // A track left with no cue (nothing said that survived the rules) is written as an empty
    // file but not muxed: an empty subtitle stream is not a valid input for ffmpeg.
    const sourceName = getLanguage(sourceLanguage).name;
    const tracks: SubtitleTrack[] = [
      ...bilingual.map((track) => bilingualMuxTrack(track, sourceLanguage)),
      ...translations.filter((translation) => translation.segments.length > 0).map((translation) => {
      const language = getLanguage(translation.targetLanguage);
        return { path: srtPath(language.code), language, title: language.name };
      }),
      ...(wantsSourceTrack && sourceSegments.length > 0 ? [{ path: srtPath(sourceLanguage), language: getLanguage(sourceLanguage), title: `${sourceName} (original)`, original: true }] : []),
    ].map((track, i) => ({ path: track.path, language: track.language, title: track.title, isDefault: i === 0 && !('original' in track) }));
    const containers = ['mp4', 'mkv'] as const;
    const extrasWanted = job.options.burnIn === true || job.options.dub === true;
    // Burn-in and dubbing take much longer than stream-copy muxing: they get most of the bar.
    const muxShare = extrasWanted ? 30 : 95;
    const warnings: string[] = translations
      .filter((translation) => translation.segments.length === 0)
      .map((translation) => `The ${translation.targetLanguage} subtitles have no cue, so the videos carry no ${translation.targetLanguage} track`);
    if (job.options.importedSubtitles?.withoutMedia) {
      // A subtitle file alone: subtitle files are all there is to make (ASS at its 16:9 default).
      for (const translation of translations) await writeSubtitles(translation.targetLanguage, translation.segments, {});
      if (wantsSourceTrack) await writeSubtitles(transcript.language, await trackSegments(transcript.language), {});
    } else {
    await ctx.storage.withLocalFile(job.inputKey, async (video) => {
      // The ASS style is sized to the picture (no picture: a 16:9 default), and each mux copies
      // what its container takes. Both come from the probe kept on the job at submission: an
      // ffprobe run costs as much as a third of a stream-copy mux of a 5-minute video.
      const media =
        job.media ??
        summarizeMedia(await probeMedia(video, { ffprobePath: ctx.ffmpeg.ffprobePath, checkComplete: false }), { from: job.sourceLanguage, audioTrack: job.options.audioTrack });
      const picture = media.video ?? {};
      const sourceCodecs = { video: media.video?.codec, audio: media.audio?.codec };
      for (const translation of translations) await writeSubtitles(translation.targetLanguage, translation.segments, picture);
      if (wantsSourceTrack) await writeSubtitles(sourceLanguage, sourceSegments, picture);
      for (const track of bilingual) {
        const title = `${stem} (${sourceLanguage}-${track.language})`;
        planned.push(...(await writeBilingualTrack(track, sourceLanguage, { ...picture, title, maxCharsPerLine: rulesFor(track.language).maxCharsPerLine })));
      }
        for (const [index, container] of containers.entries()) {
          const name = `${stem}.subtitled.${container}`;
          const localPath = path.join(workDir, name);
          await muxSubtitles({
            signal: options.signal,
            video,
            tracks,
            output: localPath,
            container,
            durationSeconds: job.mediaDuration ?? undefined,
            ffmpegPath: ctx.ffmpeg.ffmpegPath,
            ffprobePath: ctx.ffmpeg.ffprobePath,
            sourceCodecs,
            audioTrack: media.audio?.track,
            inputSubtitles: media.subtitles,
            onProgress: (percent) => progress.report(((index + percent / 100) * muxShare) / containers.length, `Muxing ${container.toUpperCase()}`),
          });
        planned.push({ kind: container, language: null, name, localPath });
        }
      if (!extrasWanted) return;
      const extras = await makeExtraOutputs(ctx, job, {
        signal: options.signal,
        video,
        workDir,
        stem,
        tracks: translations.map((translation) => ({
          language: translation.targetLanguage,
          segments: translation.segments,
          // A bilingual job burns its bilingual subtitles in.
          assPath: bilingual.find((track) => track.language === translation.targetLanguage)?.assPath ?? path.join(workDir, fileName(translation.targetLanguage, 'ass')),
        })),
        sourceLanguage,
        durationSeconds: job.mediaDuration ?? transcript.durationSeconds,
        audioTrack: media.audio?.track,
        report: (percent, message) => progress.report(muxShare + (percent * (95 - muxShare)) / 100, message),
        warnings,
      });
      planned.push(...extras);
    });
    }
    await recordQuality(ctx, jobId, checked, { job: rules, forLanguage: rulesFor }, warnings, job.mediaDuration ?? transcript.durationSeconds);

    // Canceled while muxing (a stream copy cannot always be interrupted): store nothing.
    if ((await ctx.jobs.get(jobId))?.status === 'canceled') throw new AppError('CANCELED', 'The job was canceled');
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
    await ctx.announce?.(jobId, 'job.completed');
    return records;
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }
}

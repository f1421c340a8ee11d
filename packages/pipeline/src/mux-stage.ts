import fs from 'node:fs/promises';
import path from 'node:path';
import { getLanguage, type Segment, type Transcript } from '@babelfish/core';
import type { OutputRecord } from '@babelfish/db';
import { muxSubtitles, probeMedia, summarizeMedia, toAss, toSrt, toWebVtt } from '@babelfish/media';
import { safeFileStem, storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { loadJob, readJson } from './load-job';
import { createStageReporter, progressEvent } from './progress';
import { makeExtraOutputs, type PlannedOutput } from './extra-outputs';
import { recordQuality, type CheckedTrack } from './quality-report';
import { cuesForTrack, jobRules } from './source-cues';

/**
 * Writes SRT + WebVTT + ASS per language (the source transcript too, for review) and an MP4
 * and an MKV that carry every target language as a soft subtitle track, plus the burned-in and
 * dubbed videos when the job asked for them (a job made from a subtitle file alone gets the
 * subtitle files only); checks the subtitles' quality, records the
 * outputs and completes the job.
 */
export async function runMuxStage(ctx: StageContext, jobId: string): Promise<OutputRecord[]> {
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

  const stem = safeFileStem(job.originalName);
  const workDir = await fs.mkdtemp(path.join(ctx.tmpDir, `mux-${jobId}-`));
  try {
    const planned: PlannedOutput[] = [];
    const rules = jobRules(job);
    const rulesFor = (language: string) => jobRules(job, language);
    // Files are named by the table's code (`talk.zh-Hant.srt`), also for jobs stored with an older form (`zh`).
    const fileName = (language: string, kind: string) => `${stem}.${getLanguage(language).code}.${kind}`;
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
    // The source language's own track (for review) unless it is also a target.
    const wantsSourceTrack = !job.targetLanguages.includes(transcript.language);

    // A track left with no cue (nothing said that survived the rules) is written as an empty
    // file but not muxed: an empty subtitle stream is not a valid input for ffmpeg.
    const tracks = translations.filter((translation) => translation.segments.length > 0).map((translation) => {
      const language = getLanguage(translation.targetLanguage);
      return { path: path.join(workDir, fileName(language.code, 'srt')), language, title: language.name };
    });
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
      // The muxes need only the target languages' SRT files. The source track's cues (cut from
      // the transcript by the subtitle rules: the stage's largest piece of JavaScript, ~0.2 s
      // on a 30-minute talk) are built while ffmpeg copies the streams in its own process.
      const muxing = (async () => {
        const videos: PlannedOutput[] = [];
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
            ffprobePath: ctx.ffmpeg.ffprobePath,
            sourceCodecs,
            audioTrack: media.audio?.track,
            inputSubtitles: media.subtitles,
            onProgress: (percent) => progress.report(((index + percent / 100) * muxShare) / containers.length, `Muxing ${container.toUpperCase()}`),
          });
          videos.push({ kind: container, language: null, name, localPath });
        }
        return videos;
      })();
      const sourceTrack = (async () => {
        if (wantsSourceTrack) await writeSubtitles(transcript.language, await trackSegments(transcript.language), picture);
      })();
      const [videos] = await Promise.all([muxing, sourceTrack]);
      planned.push(...videos);
      if (!extrasWanted) return;
      const extras = await makeExtraOutputs(ctx, job, {
        video,
        workDir,
        stem,
        tracks: translations.map((translation) => ({
          language: translation.targetLanguage,
          segments: translation.segments,
          assPath: path.join(workDir, fileName(translation.targetLanguage, 'ass')),
        })),
        sourceLanguage: transcript.language,
        durationSeconds: job.mediaDuration ?? transcript.durationSeconds,
        audioTrack: media.audio?.track,
        report: (percent, message) => progress.report(muxShare + (percent * (95 - muxShare)) / 100, message),
        warnings,
      });
      planned.push(...extras);
    });
    }
    await recordQuality(ctx, jobId, checked, { job: rules, forLanguage: rulesFor }, warnings, job.mediaDuration ?? transcript.durationSeconds);

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

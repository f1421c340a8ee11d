import path from 'node:path';
import { getLanguage, type OutputKind, type Segment } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import {
  burnSubtitles,
  EspeakTtsEngine,
  muxDubbedAudio,
  PiperTtsEngine,
  probeMedia,
  renderDubTrack,
  selectTtsEngine,
  type DubbedAudio,
  type TtsEngine,
} from '@babelfish/media';
import { modelSettings } from '@babelfish/ml';
import type { StageContext } from './context';

/** A file the mux stage made, before it is moved into storage. */
export type PlannedOutput = { kind: OutputKind; language: string | null; name: string; localPath: string };

export type ExtraOutputsInput = {
  /** The job was canceled: ffmpeg is killed. */
  signal?: AbortSignal;
  video: string;
  workDir: string;
  stem: string;
  /** Target-language cues in the job's order, each with its written .ass file. */
  tracks: { language: string; segments: Segment[]; assPath: string }[];
  sourceLanguage: string;
  durationSeconds: number;
  /** The job's audio track (from 0 among the audio tracks). */
  audioTrack?: number;
  /** 0–100 across the optional outputs. */
  report: (percent: number, message: string) => void;
  /** Collects why an asked-for output could not be made (the job still completes). */
  warnings: string[];
};

/** Piper voices (when installed under MODELS_DIR/piper) before espeak-ng. */
export function defaultTtsEngines(): TtsEngine[] {
  return [new PiperTtsEngine({ voicesDir: path.join(modelSettings().modelsDir, 'piper') }), new EspeakTtsEngine()];
}

/**
 * The optional outputs a job asked for: the first target language burned into the picture,
 * and a dubbed MP4 with a speech track per target language. They are extras: one that cannot
 * be made (no picture, no voice) is reported, not fatal.
 */
export async function makeExtraOutputs(ctx: StageContext, job: JobRecord, input: ExtraOutputsInput, ttsEngines = defaultTtsEngines()): Promise<PlannedOutput[]> {
  const wantBurn = job.options.burnIn === true;
  const wantDub = job.options.dub === true;
  const planned: PlannedOutput[] = [];
  const burnShare = wantBurn && wantDub ? 50 : 100;
  const first = input.tracks[0];

  if (wantBurn && first) {
    const info = await probeMedia(input.video, { ffprobePath: ctx.ffmpeg.ffprobePath });
    if (!info.hasVideo) {
      input.warnings.push('burnIn: the upload has no picture to burn subtitles into');
    } else {
      const name = `${input.stem}.${first.language}.burned.mp4`;
      const localPath = path.join(input.workDir, name);
      await burnSubtitles({
        signal: input.signal,
        video: input.video,
        assPath: first.assPath,
        output: localPath,
        durationSeconds: input.durationSeconds,
        audioTrack: input.audioTrack,
        ffmpegPath: ctx.ffmpeg.ffmpegPath,
        onProgress: (percent) => input.report((percent * burnShare) / 100, 'Burning in subtitles'),
      });
      planned.push({ kind: 'burned', language: first.language, name, localPath });
    }
  }

  if (wantDub) {
    const start = wantBurn ? burnShare : 0;
    const share = 100 - start;
    const dubbed: DubbedAudio[] = [];
    const languages = input.tracks.filter((track) => track.language !== input.sourceLanguage);
    for (const [index, track] of languages.entries()) {
      const engine = await selectTtsEngine(ttsEngines, track.language);
      if (!engine) {
        input.warnings.push(`dub: no text-to-speech voice is installed for ${track.language}`);
        continue;
      }
      const wav = path.join(input.workDir, `dub.${track.language}.wav`);
      const report = await renderDubTrack({
        cues: track.segments,
        language: track.language,
        engine,
        output: wav,
        durationSeconds: input.durationSeconds,
        workDir: input.workDir,
        ffmpegPath: ctx.ffmpeg.ffmpegPath,
        // Speech is most of the work; the final mix gets the last fifth.
        onProgress: (percent) => input.report(start + (share * 0.8 * (index + percent / 100)) / languages.length, `Dubbing ${track.language}`),
      });
      ctx.logger.info('dub track rendered', { jobId: job.id, language: track.language, engine: engine.name, ...report });
      dubbed.push({ wav, language: getLanguage(track.language) });
    }
    if (dubbed.length > 0) {
      const name = `${input.stem}.dubbed.mp4`;
      const localPath = path.join(input.workDir, name);
      await muxDubbedAudio({
        signal: input.signal,
        video: input.video,
        tracks: dubbed,
        originalLanguage: getLanguage(input.sourceLanguage),
        output: localPath,
        durationSeconds: input.durationSeconds,
        audioTrack: input.audioTrack,
        ffmpegPath: ctx.ffmpeg.ffmpegPath,
        onProgress: (percent) => input.report(start + share * 0.8 + (share * 0.2 * percent) / 100, 'Mixing dubbed audio'),
      });
      planned.push({ kind: 'dubbed', language: null, name, localPath });
    } else if (languages.length === 0) {
      input.warnings.push('dub: every target language is the source language; there is nothing to dub');
    }
  }
  return planned;
}

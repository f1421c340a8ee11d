import { AppError, type Language, type ProgressReporter } from '@babelfish/core';
import { writeAtomically } from './output';
import { probeMedia } from './probe';
import { generatedInput, userMediaInput } from './input-policy';
import { runFfmpeg } from './process';
import { secondsToPercent } from './progress';

/**
 * Adds subtitle tracks to a video without re-encoding it: picture and sound are copied
 * byte-for-byte (fast, lossless), only the subtitles are converted to the container's format.
 */

export type SubtitleContainer = 'mp4' | 'mkv';

export type SubtitleTrack = {
  /** An .srt file (UTF-8). */
  path: string;
  language: Language;
  /** Shown in players' track menus; defaults to the language name ("Spanish"). */
  title?: string;
};

export type MuxSubtitlesOptions = {
  video: string;
  tracks: SubtitleTrack[];
  output: string;
  container: SubtitleContainer;
  onProgress?: ProgressReporter;
  /** From probeMedia; when absent and progress is wanted, the video is probed for it. */
  durationSeconds?: number;
  signal?: AbortSignal;
  ffmpegPath?: string;
  ffprobePath?: string;
  /**
   * The video's codecs, when the caller knows them (the job keeps them from its probe at
   * submission): with durationSeconds as well, muxing runs ffmpeg alone, without ffprobe.
   */
  sourceCodecs?: SourceCodecs;
};

const containerArgs: Record<SubtitleContainer, string[]> = {
  // MP4 only carries 3GPP timed text; faststart moves the index up front so browsers can
  // start playing before the whole file has downloaded.
  mp4: ['-c:s', 'mov_text', '-movflags', '+faststart', '-f', 'mp4'],
  mkv: ['-c:s', 'srt', '-f', 'matroska'],
};

/**
 * Codecs each container takes as they are. Anything else (PCM audio from a WAV, say) is
 * re-encoded — only that stream — so an upload of any format still gets both containers.
 */
const copyableCodecs: Record<SubtitleContainer, { video: Set<string>; audio: Set<string> }> = {
  mp4: { video: new Set(['h264', 'hevc', 'av1', 'mpeg4', 'vp9']), audio: new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac']) },
  mkv: { video: new Set(['*']), audio: new Set(['*']) },
};

export type SourceCodecs = { video?: string; audio?: string };

function codecArgs(container: SubtitleContainer, codecs: SourceCodecs | undefined): string[] {
  const allowed = copyableCodecs[container];
  const copyVideo = !codecs?.video || allowed.video.has('*') || allowed.video.has(codecs.video);
  const copyAudio = !codecs?.audio || allowed.audio.has('*') || allowed.audio.has(codecs.audio);
  return [
    ...(copyVideo ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p']),
    ...(copyAudio ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '192k']),
  ];
}

export function buildMuxArgs(opts: Pick<MuxSubtitlesOptions, 'video' | 'tracks' | 'container'> & { sourceCodecs?: SourceCodecs }, output: string): string[] {
  const inputs = opts.tracks.flatMap((track) => generatedInput(track.path, 'srt'));
  // `?` keeps audio-only or video-only inputs working. Existing subtitle streams in the
  // input are deliberately not mapped, so `s:N` below always means our track N.
  const maps = ['-map', '0:v?', '-map', '0:a?', ...opts.tracks.flatMap((_, i) => ['-map', `${i + 1}:0`])];
  const metadata = opts.tracks.flatMap((track, i) => {
    const title = track.title ?? track.language.name;
    return [
      `-metadata:s:s:${i}`, `language=${track.language.iso6392}`,
      `-metadata:s:s:${i}`, `title=${title}`,
      // MP4 keeps no per-track title; players show the handler name instead (in MKV it is noise).
      ...(opts.container === 'mp4' ? [`-metadata:s:s:${i}`, `handler_name=${title}`] : []),
      // Exactly one default track: players pick it automatically; the rest are opt-in.
      `-disposition:s:${i}`, i === 0 ? 'default' : '0',
    ];
  });
  return [
    ...userMediaInput(opts.video),
    ...inputs,
    ...maps,
    ...codecArgs(opts.container, opts.sourceCodecs),
    ...containerArgs[opts.container],
    ...metadata,
    '-y', output,
  ];
}

export async function muxSubtitles(opts: MuxSubtitlesOptions): Promise<void> {
  if (opts.tracks.length === 0) {
    throw new AppError('BAD_REQUEST', 'At least one subtitle track is needed to build a subtitled video');
  }
  let { sourceCodecs, durationSeconds } = opts;
  if (!sourceCodecs || durationSeconds === undefined) {
    // The probe (headers only) tells which streams can be copied into this container.
    const info = await probeMedia(opts.video, { signal: opts.signal, ffprobePath: opts.ffprobePath, checkComplete: false });
    durationSeconds ??= info.durationSeconds;
    sourceCodecs ??= {
      video: info.streams.find((stream) => stream.kind === 'video')?.codec,
      audio: info.streams.find((stream) => stream.kind === 'audio')?.codec,
    };
  }
  const onProgress = opts.onProgress ? secondsToPercent(opts.onProgress, durationSeconds) : undefined;
  await writeAtomically(opts.output, (tempPath) =>
    runFfmpeg(buildMuxArgs({ ...opts, sourceCodecs }, tempPath), {
      signal: opts.signal,
      onProgress,
      durationSeconds,
      ffmpegPath: opts.ffmpegPath,
    }),
  );
}

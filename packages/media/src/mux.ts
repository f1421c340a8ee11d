import { AppError, type Language, type ProgressReporter, type SubtitleStreamSummary } from '@babelfish/core';
import { containerLanguageTag, retagForContainer } from './container-language';
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
  /**
   * The track players pick by themselves. When no track says, the first one is; when any does,
   * exactly those that say true are (the source-language track never is).
   */
  isDefault?: boolean;
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
  /** The job's audio track (from 0 among the audio tracks); the only one the output carries. */
  audioTrack?: number;
  /** Subtitle streams already in the video (from the job's media summary), kept after ours. */
  inputSubtitles?: SubtitleStreamSummary[];
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

/** At most this many of the upload's own subtitle streams are kept (a file can declare hundreds). */
export const MAX_KEPT_SUBTITLES = 16;

/**
 * What each container does with a subtitle stream already in the upload: copy it, convert it
 * (text to text only), or leave it out. MP4 carries only mov_text, so bitmap subtitles (PGS,
 * DVD) cannot be kept there; MKV copies everything it can hold and converts MP4's mov_text.
 */
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);
const MKV_COPYABLE_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'hdmv_pgs_subtitle', 'dvd_subtitle', 'dvb_subtitle']);

export function keptSubtitleCodec(container: SubtitleContainer, codec: string): string | undefined {
  if (container === 'mp4') return TEXT_SUBTITLES.has(codec) ? 'mov_text' : undefined;
  if (MKV_COPYABLE_SUBTITLES.has(codec)) return 'copy';
  return TEXT_SUBTITLES.has(codec) ? 'srt' : undefined;
}

export function buildMuxArgs(
  opts: Pick<MuxSubtitlesOptions, 'video' | 'tracks' | 'container' | 'audioTrack' | 'inputSubtitles'> & { sourceCodecs?: SourceCodecs },
  output: string,
): string[] {
  const inputs = opts.tracks.flatMap((track) => generatedInput(track.path, 'srt'));
  const kept = (opts.inputSubtitles ?? [])
    .map((stream) => ({ stream, codec: keptSubtitleCodec(opts.container, stream.codec) }))
    .filter((entry): entry is { stream: SubtitleStreamSummary; codec: string } => entry.codec !== undefined)
    .slice(0, MAX_KEPT_SUBTITLES);
  // `?` keeps audio-only or video-only inputs working. One picture (`V`: not cover art, which
  // is a one-frame "video" in MP3s) and one audio track, the job's: mapping every stream let a
  // file declaring hundreds of tracks keep the mux busy for minutes. Our tracks come first, so
  // `s:N` below means our track N; the upload's own subtitle streams follow.
  const maps = [
    '-map', '0:V:0?',
    '-map', `0:a:${opts.audioTrack ?? 0}?`,
    ...opts.tracks.flatMap((_, i) => ['-map', `${i + 1}:0`]),
    ...kept.flatMap(({ stream }) => ['-map', `0:${stream.index}`]),
  ];
  // Their language and title tags come along (ffmpeg copies stream metadata); they are never
  // the default, which is ours. A later `-c:s:N` overrides the container's `-c:s`.
  // A kept stream's language is rewritten in this container's form (an MKV's `ger` is `deu` in MP4).
  const keptArgs = kept.flatMap(({ stream, codec }, i) => [
    `-c:s:${opts.tracks.length + i}`, codec, `-disposition:s:${opts.tracks.length + i}`, '0',
    ...(stream.language ? [`-metadata:s:s:${opts.tracks.length + i}`, `language=${retagForContainer(stream.language, opts.container)}`] : []),
  ]);
  const chosen = opts.tracks.some((track) => track.isDefault !== undefined);
  const metadata = opts.tracks.flatMap((track, i) => {
    const title = track.title ?? track.language.name;
    const isDefault = chosen ? track.isDefault === true : i === 0;
    return [
      `-metadata:s:s:${i}`, `language=${containerLanguageTag(track.language, opts.container)}`,
      `-metadata:s:s:${i}`, `title=${title}`,
      // MP4 keeps no per-track title; players show the handler name instead (in MKV it is noise).
      ...(opts.container === 'mp4' ? [`-metadata:s:s:${i}`, `handler_name=${title}`] : []),
      // One default track: players pick it automatically; the rest are opt-in.
      `-disposition:s:${i}`, isDefault ? 'default' : '0',
    ];
  });
  return [
    ...userMediaInput(opts.video),
    ...inputs,
    ...maps,
    ...codecArgs(opts.container, opts.sourceCodecs),
    ...containerArgs[opts.container],
    ...keptArgs,
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
      audio: info.streams.filter((stream) => stream.kind === 'audio')[opts.audioTrack ?? 0]?.codec,
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

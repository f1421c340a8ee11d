import type { Language, ProgressReporter } from '@babelfish/core';
import { containerLanguageTag } from './container-language';
import { writeAtomically } from './output';
import { probeMedia } from './probe';
import { generatedInput, userMediaInput } from './input-policy';
import { runFfmpeg } from './process';
import { secondsToPercent } from './progress';

/**
 * The dubbed video: picture copied, the original audio kept as the first (default) track, and
 * one extra track per dubbed language: the speech track over the original audio, which a
 * sidechain compressor ducks whenever the dub speaks (music and ambience stay, voices give way).
 */

export type DubbedAudio = {
  /** Speech track from renderDubTrack (WAV). */
  wav: string;
  language: Language;
  title?: string;
};

export type MuxDubOptions = {
  video: string;
  tracks: DubbedAudio[];
  /** Language of the original audio, for its tag. */
  originalLanguage?: Language;
  output: string;
  onProgress?: ProgressReporter;
  durationSeconds?: number;
  /** The job's audio track (from 0 among the audio tracks): the original the dubs are mixed over. */
  audioTrack?: number;
  signal?: AbortSignal;
  ffmpegPath?: string;
};

const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac']);
const MP4_VIDEO = new Set(['h264', 'hevc', 'av1', 'mpeg4', 'vp9']);
const MIX_FORMAT = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo';
/**
 * Ducking keyed by the dub: at speech level (around -20 dBFS) the original drops by about
 * 15–25 dB within 10 ms and comes back over a third of a second once the dub is quiet.
 */
const DUCKING = 'sidechaincompress=threshold=0.01:ratio=20:attack=10:release=350';

/** The filter graph: [mix0], [mix1], … one mixed track per dubbed language. */
export function buildDubFilter(count: number, audioTrack = 0): string {
  const parts = [`[0:a:${audioTrack}]${MIX_FORMAT},asplit=${count}${Array.from({ length: count }, (_, i) => `[orig${i}]`).join('')}`];
  for (let i = 0; i < count; i++) {
    parts.push(
      `[${i + 1}:a]${MIX_FORMAT},asplit=2[voice${i}][key${i}]`,
      `[orig${i}][key${i}]${DUCKING}[ducked${i}]`,
      // normalize=0: amix would otherwise halve both inputs; the limiter catches the rare peak.
      `[ducked${i}][voice${i}]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,alimiter=limit=0.95[mix${i}]`,
    );
  }
  return parts.join(';');
}

export type SourceCodecs = { video?: string; audio?: string };

export function buildDubMuxArgs(opts: Pick<MuxDubOptions, 'video' | 'tracks' | 'originalLanguage' | 'audioTrack'>, output: string, codecs: SourceCodecs): string[] {
  const audioTrack = opts.audioTrack ?? 0;
  const metadata = opts.tracks.flatMap((track, i) => {
    const title = track.title ?? `${track.language.name} (dubbed)`;
    return [
      `-c:a:${i + 1}`, 'aac', `-b:a:${i + 1}`, '160k',
      `-metadata:s:a:${i + 1}`, `language=${containerLanguageTag(track.language, 'mp4')}`,
      `-metadata:s:a:${i + 1}`, `title=${title}`,
      `-metadata:s:a:${i + 1}`, `handler_name=${title}`,
      `-disposition:a:${i + 1}`, '0',
    ];
  });
  return [
    ...userMediaInput(opts.video),
    // The speech tracks are WAVs we rendered ourselves: a whitelist of just that format.
    ...opts.tracks.flatMap((track) => generatedInput(track.wav, 'wav')),
    '-filter_complex', buildDubFilter(opts.tracks.length, audioTrack),
    // `V`: a picture, not MP3 cover art; the original audio is the job's track only.
    '-map', '0:V:0?',
    '-map', `0:a:${audioTrack}`,
    ...opts.tracks.flatMap((_, i) => ['-map', `[mix${i}]`]),
    // Picture and original sound stay as they were wherever MP4 can carry them.
    ...(!codecs.video || MP4_VIDEO.has(codecs.video) ? ['-c:v', 'copy'] : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p']),
    '-c:a:0', codecs.audio && MP4_AUDIO.has(codecs.audio) ? 'copy' : 'aac',
    ...(opts.originalLanguage ? ['-metadata:s:a:0', `language=${containerLanguageTag(opts.originalLanguage, 'mp4')}`] : []),
    '-disposition:a:0', 'default',
    ...metadata,
    '-sn', '-dn',
    '-movflags', '+faststart',
    '-f', 'mp4',
    '-y', output,
  ];
}

export async function muxDubbedAudio(opts: MuxDubOptions): Promise<void> {
  const info = await probeMedia(opts.video, { signal: opts.signal });
  const durationSeconds = opts.durationSeconds ?? info.durationSeconds;
  const codecs = {
    video: info.streams.find((stream) => stream.kind === 'video')?.codec,
    audio: info.streams.filter((stream) => stream.kind === 'audio')[opts.audioTrack ?? 0]?.codec,
  };
  const onProgress = opts.onProgress ? secondsToPercent(opts.onProgress, durationSeconds) : undefined;
  await writeAtomically(opts.output, (tempPath) =>
    runFfmpeg(buildDubMuxArgs(opts, tempPath, codecs), { signal: opts.signal, onProgress, durationSeconds, ffmpegPath: opts.ffmpegPath }),
  );
}

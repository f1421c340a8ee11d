import { AppError, type ProgressReporter } from '@babelfish/core';
import { writeAtomically } from './output';
import { probeMedia } from './probe';
import { userMediaInput } from './input-policy';
import { runFfmpeg } from './process';
import { secondsToPercent } from './progress';

/**
 * Renders subtitles into the picture with ffmpeg's `ass` filter (libass), for players and
 * platforms that show no subtitle tracks. The video is re-encoded (H.264), the audio copied
 * when MP4 can carry it, and no subtitle stream is written: the text is in the pixels.
 */

export type BurnInOptions = {
  video: string;
  /** An .ass file (see toAss): its style decides font, size and placement. */
  assPath: string;
  output: string;
  onProgress?: ProgressReporter;
  durationSeconds?: number;
  /** The job's audio track (from 0 among the audio tracks); the only one the output carries. */
  audioTrack?: number;
  /** Extra font folder for libass, beside the system fonts fontconfig finds. */
  fontsDir?: string;
  signal?: AbortSignal;
  ffmpegPath?: string;
};

const MP4_AUDIO = new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'opus', 'flac']);

/**
 * A file path as a filter option value. The filter graph is parsed twice (graph, then option),
 * each level with its own escaping, so the value is quoted for the option parser and the
 * result escaped again for the graph parser. Never a shell: this only concerns ffmpeg's syntax.
 */
export function escapeFilterValue(value: string): string {
  // Level 1 (option value): inside '…' everything is literal except ', which must close the quote.
  const quoted = `'${value.replace(/'/g, `'\\''`)}'`;
  // Level 2 (filter graph): backslash, quote and the graph's separators are escaped.
  return quoted.replace(/[\\'[\],;]/g, (char) => `\\${char}`);
}

/**
 * H.264 in yuv420p (the only format every player decodes) needs even dimensions: odd sizes
 * (301×199) are trimmed by a pixel. Rotation needs nothing here: ffmpeg turns the picture
 * upright while decoding (and drops the rotation tag), so the subtitles are drawn upright too.
 */
const EVEN_SIZE = 'scale=trunc(iw/2)*2:trunc(ih/2)*2';

export function buildBurnInArgs(opts: Pick<BurnInOptions, 'video' | 'assPath' | 'fontsDir' | 'audioTrack'>, output: string, audioCodec: string | undefined): string[] {
  const filter = `${EVEN_SIZE},ass=filename=${escapeFilterValue(opts.assPath)}${opts.fontsDir ? `:fontsdir=${escapeFilterValue(opts.fontsDir)}` : ''}`;
  const audio = audioCodec === undefined ? [] : MP4_AUDIO.has(audioCodec) ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', '192k'];
  return [
    ...userMediaInput(opts.video),
    // `V`: the picture, never cover art; one audio track, the job's.
    '-map', '0:V:0',
    '-map', `0:a:${opts.audioTrack ?? 0}?`,
    '-vf', filter,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
    ...audio,
    '-sn', '-dn',
    '-movflags', '+faststart',
    '-f', 'mp4',
    '-y', output,
  ];
}

export async function burnSubtitles(opts: BurnInOptions): Promise<void> {
  const info = await probeMedia(opts.video, { signal: opts.signal });
  if (!info.hasVideo) throw new AppError('BAD_REQUEST', 'The upload has no video track to burn subtitles into');
  const durationSeconds = opts.durationSeconds ?? info.durationSeconds;
  const audioCodec = info.streams.filter((stream) => stream.kind === 'audio')[opts.audioTrack ?? 0]?.codec;
  const onProgress = opts.onProgress ? secondsToPercent(opts.onProgress, durationSeconds) : undefined;
  await writeAtomically(opts.output, (tempPath) =>
    runFfmpeg(buildBurnInArgs(opts, tempPath, audioCodec), { signal: opts.signal, onProgress, durationSeconds, ffmpegPath: opts.ffmpegPath }),
  );
}

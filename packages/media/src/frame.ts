import { userMediaInput } from './input-policy';
import { runFfmpeg } from './process';

/**
 * One frame of the video as a PNG (for thumbnails): seeking before `-i` is fast (keyframe
 * seek), and a point a little into the video avoids the black first frame of most uploads.
 * `V` skips cover art; ffmpeg rotates phone videos upright while decoding, and 8-bit RGB
 * keeps 10-bit and 4:4:4 sources as a PNG every decoder (sharp included) reads.
 */
export async function extractFramePng(input: string, output: string, opts: { atSeconds: number; ffmpegPath?: string }): Promise<void> {
  await runFfmpeg(
    ['-ss', opts.atSeconds.toFixed(3), ...userMediaInput(input), '-map', '0:V:0', '-frames:v', '1', '-an', '-sn', '-f', 'image2', '-c:v', 'png', '-pix_fmt', 'rgb24', '-y', output],
    { ffmpegPath: opts.ffmpegPath },
  );
}

/** Where to take the thumbnail from: 1 s in, or the middle of a shorter video. */
export function thumbnailTime(durationSeconds: number): number {
  return Math.max(0, Math.min(1, durationSeconds / 2));
}

/**
 * The job list's thumbnail straight from ffmpeg: one frame (as `extractFramePng` picks it),
 * scaled down to `width` (never up), as a JPEG. One ffmpeg run, no image library: the worker
 * that makes it has ffmpeg anyway.
 */
export async function extractThumbnailJpeg(input: string, output: string, opts: { atSeconds: number; width: number; ffmpegPath?: string }): Promise<void> {
  await runFfmpeg(
    [
      '-ss', opts.atSeconds.toFixed(3), ...userMediaInput(input),
      '-map', '0:V:0', '-frames:v', '1', '-an', '-sn',
      '-vf', `scale='min(${opts.width},iw)':-2:flags=lanczos,format=yuvj420p`,
      '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', '-y', output,
    ],
    { ffmpegPath: opts.ffmpegPath },
  );
}

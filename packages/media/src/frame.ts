import { userMediaInput } from './input-policy';
import { runFfmpeg } from './process';

/**
 * One frame of the video as a PNG (for thumbnails): seeking before `-i` is fast (keyframe
 * seek), and a point a little into the video avoids the black first frame of most uploads.
 */
export async function extractFramePng(input: string, output: string, opts: { atSeconds: number; ffmpegPath?: string }): Promise<void> {
  await runFfmpeg(
    ['-ss', opts.atSeconds.toFixed(3), ...userMediaInput(input), '-map', '0:v:0', '-frames:v', '1', '-an', '-sn', '-f', 'image2', '-c:v', 'png', '-y', output],
    { ffmpegPath: opts.ffmpegPath },
  );
}

/** Where to take the thumbnail from: 1 s in, or the middle of a shorter video. */
export function thumbnailTime(durationSeconds: number): number {
  return Math.max(0, Math.min(1, durationSeconds / 2));
}

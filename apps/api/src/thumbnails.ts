import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { extractFramePng, thumbnailTime, type MediaInfo } from '@babelfish/media';
import { storageKeys } from '@babelfish/storage';
import type { ApiDeps } from './deps';

const THUMBNAIL_WIDTH = 320;

/**
 * Makes the job list's thumbnail: a frame from ffmpeg, resized and JPEG-encoded by sharp.
 * A thumbnail is a nicety: failing to make one is logged and never fails the submission.
 */
export async function createThumbnail(deps: ApiDeps, jobId: string, videoPath: string, media: MediaInfo): Promise<string | null> {
  if (!media.hasVideo) return null;
  const framePath = path.join(deps.uploadDir, `${jobId}.frame.png`);
  try {
    await extractFramePng(videoPath, framePath, { atSeconds: thumbnailTime(media.durationSeconds), ffmpegPath: deps.config.ffmpeg.ffmpegPath });
    const jpeg = await sharp(framePath).resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
    const key = storageKeys.thumbnail(jobId);
    await deps.storage.putBuffer(key, jpeg);
    return key;
  } catch (error) {
    deps.logger.warn('thumbnail failed', { jobId, error: String(error) });
    return null;
  } finally {
    await fs.rm(framePath, { force: true });
  }
}

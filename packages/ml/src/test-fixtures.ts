import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configureModels } from './model-env';

/**
 * Test-only helpers (excluded from the build): where the offline models and sample recordings
 * live, and audio decoding the way the app's callers do it (ffmpeg → 16 kHz mono float32).
 * BABELFISH_SHARED_DIR overrides the location; otherwise `shared/` beside or inside the checkout.
 */
export const sharedDir =
  process.env.BABELFISH_SHARED_DIR ??
  [resolve(__dirname, '../../../shared'), resolve(__dirname, '../../../../shared')].find((dir) => existsSync(join(dir, 'models'))) ??
  '/work/shared';
export const modelsDir = join(sharedDir, 'models');
export const samplesDir = join(sharedDir, 'samples');

/** Offline models only, with an empty throw-away cache so nothing cached elsewhere leaks in. */
export function useOfflineModels(): void {
  configureModels({ modelsDir, cacheDir: mkdtempSync(join(tmpdir(), 'babelfish-ml-cache-')), allowRemote: false });
}

export function decodeSample(name: string): Float32Array {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', join(samplesDir, name), '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], {
    maxBuffer: 1 << 30,
  });
  // Copy into a fresh, aligned buffer: Node's Buffer may share a pool at an unaligned offset.
  return new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
}

export function readSampleText(name: string): string {
  return readFileSync(join(samplesDir, name), 'utf8').trim();
}

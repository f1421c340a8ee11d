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

/** `seconds` of ffmpeg's pink noise (a seeded, repeatable source) at an RMS of `dbfs`. */
export function pinkNoise(seconds: number, dbfs: number, seed = 1): Float32Array {
  const pcm = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.5:sample_rate=16000:duration=${seconds}:seed=${seed}`, '-f', 'f32le', '-'],
    { maxBuffer: 1 << 30 },
  );
  return atLevel(new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length)), dbfs);
}

/** RMS level of `samples` in dBFS. */
export function levelDb(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  return 10 * Math.log10(sum / Math.max(1, samples.length));
}

/** A copy of `samples` scaled to an RMS of `dbfs`. */
export function atLevel(samples: Float32Array, dbfs: number): Float32Array {
  const gain = 10 ** ((dbfs - levelDb(samples)) / 20);
  return samples.map((sample) => sample * gain);
}

/** `background` with `foreground` added from `atSeconds` on. */
export function mixAt(background: Float32Array, foreground: Float32Array, atSeconds: number): Float32Array {
  const mixed = background.slice();
  const at = Math.round(atSeconds * 16_000);
  for (let i = 0; i < foreground.length && at + i < mixed.length; i++) mixed[at + i]! += foreground[i]!;
  return mixed;
}

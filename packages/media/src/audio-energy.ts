import { writeFile } from 'node:fs/promises';
import { userMediaInput } from './input-policy';
import { runFfmpeg } from './process';

/**
 * Sample-level helpers for building and checking speech tracks: decode any audio to float
 * samples at a chosen rate, find where the sound is (short-frame RMS over a threshold), and
 * write 16-bit PCM WAV.
 */

/** Decodes an audio stream (the first unless `stream` says) to mono float samples at `sampleRate`. */
export async function decodeMono(
  path: string,
  sampleRate: number,
  opts: { filter?: string; stream?: number; ffmpegPath?: string; signal?: AbortSignal } = {},
): Promise<Float32Array> {
  const chunks: Buffer[] = [];
  await runFfmpeg(
    [...userMediaInput(path), '-map', `0:a:${opts.stream ?? 0}`, '-vn', ...(opts.filter ? ['-af', opts.filter] : []), '-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', '-'],
    { ffmpegPath: opts.ffmpegPath, signal: opts.signal, onStdout: (chunk) => chunks.push(chunk) },
  );
  const bytes = Buffer.concat(chunks);
  // Copied into a fresh buffer: a pooled Buffer can start at an offset floats cannot be read from.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length - (bytes.length % 4)));
}

/** Root mean square of samples[from, to) (seconds): the loudness of a stretch of audio. */
export function rmsBetween(samples: Float32Array, sampleRate: number, from: number, to: number): number {
  const start = Math.max(0, Math.floor(from * sampleRate));
  const end = Math.min(samples.length, Math.ceil(to * sampleRate));
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, end - start));
}

/** RMS of consecutive frames of `frameSeconds`. */
export function frameRms(samples: Float32Array, sampleRate: number, frameSeconds = 0.01): Float32Array {
  const frame = Math.max(1, Math.round(sampleRate * frameSeconds));
  const frames = new Float32Array(Math.ceil(samples.length / frame));
  for (let f = 0; f < frames.length; f++) {
    let sum = 0;
    const from = f * frame;
    const to = Math.min(samples.length, from + frame);
    for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
    frames[f] = Math.sqrt(sum / Math.max(1, to - from));
  }
  return frames;
}

export const dbToAmplitude = (db: number) => 10 ** (db / 20);

/**
 * First and last moment (seconds) in [from, to) where 10 ms frames are louder than `thresholdDb`
 * (dBFS); undefined when it is all quieter. Used to trim synthetic speech and to check where
 * speech landed.
 */
export function soundSpan(samples: Float32Array, sampleRate: number, options: { from?: number; to?: number; thresholdDb?: number } = {}): { start: number; end: number } | undefined {
  const frameSeconds = 0.01;
  const rms = frameRms(samples, sampleRate, frameSeconds);
  const threshold = dbToAmplitude(options.thresholdDb ?? -40);
  const first = Math.max(0, Math.floor((options.from ?? 0) / frameSeconds));
  const last = Math.min(rms.length, Math.ceil((options.to ?? Infinity) / frameSeconds));
  let start = -1;
  let end = -1;
  for (let f = first; f < last; f++) {
    if (rms[f]! < threshold) continue;
    if (start < 0) start = f;
    end = f;
  }
  return start < 0 ? undefined : { start: start * frameSeconds, end: (end + 1) * frameSeconds };
}

/** Mono 16-bit PCM WAV, clipped to [-1, 1]. */
export async function writeWavMono16(path: string, samples: Float32Array, sampleRate: number): Promise<void> {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  await writeFile(path, Buffer.concat([header, data]));
}

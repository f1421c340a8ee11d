import type { ProgressReporter } from '@babelfish/core';
import { writeAtomically } from './output';
import { runFfmpeg } from './process';
import { secondsToPercent } from './progress';

/** Whisper (and every speech model we run) expects 16 kHz mono. */
export const SPEECH_SAMPLE_RATE = 16_000;

export type AudioOptions = {
  signal?: AbortSignal;
  /** 0–100 as the extraction advances; needs durationSeconds to know the total. */
  onProgress?: ProgressReporter;
  /** From probeMedia; used for progress and to size the decode buffer up front. */
  durationSeconds?: number;
  ffmpegPath?: string;
};

/** First audio track → 16 kHz mono 16-bit PCM WAV, the format speech models load directly. */
export async function extractAudioWav(input: string, outputWav: string, opts: AudioOptions = {}): Promise<void> {
  const onProgress = opts.onProgress ? secondsToPercent(opts.onProgress, opts.durationSeconds) : undefined;
  await writeAtomically(outputWav, (tempPath) =>
    runFfmpeg(
      [
        '-i', input,
        // Only the first audio track: a second (commentary, other dub) would be mixed in otherwise.
        '-map', '0:a:0',
        '-vn', '-sn', '-dn',
        '-ac', '1',
        '-ar', String(SPEECH_SAMPLE_RATE),
        '-c:a', 'pcm_s16le',
        // The temp path has no extension, so the muxer must be named.
        '-f', 'wav',
        '-y', tempPath,
      ],
      { signal: opts.signal, onProgress, durationSeconds: opts.durationSeconds, ffmpegPath: opts.ffmpegPath },
    ),
  );
}

const BYTES_PER_SAMPLE = 4;
/** ~16 s of audio; only used when no duration hint was given. */
const INITIAL_BYTES = SPEECH_SAMPLE_RATE * BYTES_PER_SAMPLE * 16;

/**
 * Decodes the first audio track to 16 kHz mono float samples in memory (what in-process
 * models take). Bytes are copied straight into one growing buffer, sized from the duration
 * hint when given, instead of keeping every chunk and concatenating (which doubles the peak).
 * Samples are little-endian floats, which matches every platform Node ships on in practice.
 */
export async function decodePcmF32(path: string, opts: Omit<AudioOptions, 'onProgress'> = {}): Promise<Float32Array> {
  const hinted = opts.durationSeconds && opts.durationSeconds > 0
    ? Math.ceil((opts.durationSeconds + 1) * SPEECH_SAMPLE_RATE) * BYTES_PER_SAMPLE
    : INITIAL_BYTES;
  let bytes = new Uint8Array(new ArrayBuffer(hinted));
  let used = 0;

  await runFfmpeg(
    ['-i', path, '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE), '-f', 'f32le', '-'],
    {
      signal: opts.signal,
      ffmpegPath: opts.ffmpegPath,
      onStdout: (chunk) => {
        if (used + chunk.length > bytes.length) {
          const grown = new Uint8Array(new ArrayBuffer(Math.max(bytes.length * 2, used + chunk.length)));
          grown.set(bytes.subarray(0, used));
          bytes = grown;
        }
        bytes.set(chunk, used);
        used += chunk.length;
      },
    },
  );

  const samples = Math.floor(used / BYTES_PER_SAMPLE);
  // Hand back a view when the buffer fits; compact only when growth left lots of slack.
  if (bytes.length <= used * 1.25 + INITIAL_BYTES) return new Float32Array(bytes.buffer, 0, samples);
  return new Float32Array(bytes.buffer.slice(0, samples * BYTES_PER_SAMPLE));
}

import { openWav } from '@babelfish/media';

/**
 * Audio as speech code reads it: 16 kHz mono samples, fetched by range. A long recording stays
 * on disk (a WAV read window by window) instead of living in memory as one array.
 */
export type AudioSource = {
  /** Samples in the whole source. */
  readonly length: number;
  read(start: number, end: number): Promise<Float32Array>;
};

/** What callers hand a speech model: samples in memory, or a 16 kHz mono 16-bit WAV on disk. */
export type SpeechAudio = Float32Array | { wavPath: string };

export function arraySource(audio: Float32Array): AudioSource {
  return { length: audio.length, read: async (start, end) => audio.subarray(Math.max(0, start), Math.min(end, audio.length)) };
}

/** Runs `use` on a source for `audio`, closing the file afterwards when it opened one. */
export async function withAudioSource<T>(audio: SpeechAudio, use: (source: AudioSource) => Promise<T>): Promise<T> {
  if (audio instanceof Float32Array) return use(arraySource(audio));
  const wav = await openWav(audio.wavPath);
  try {
    return await use(wav);
  } finally {
    await wav.close();
  }
}

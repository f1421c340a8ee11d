import { AppError } from '@babelfish/core';
import { planWindows, SAMPLE_RATE } from './audio-windows';
import type { AudioSource } from './audio-source';
import type { TimedToken } from './segmenter';
import { speechRegions } from './speech-regions';
import { planSpeechWindows, toSourceSample, type SpeechWindow } from './speech-windows';
import type { SileroVad } from './vad';
import { decodeWindows } from './whisper-decoder';
import { tokenId } from './whisper-pipeline';
import type { WhisperRuntime } from './whisper-runtime';
import { windowWords } from './window-words';

/**
 * Source audio → timed words: find the speech (VAD), pack it into ≤ 30 s windows cut at
 * pauses, decode the windows a batch at a time, map every word back to source time. Only the
 * windows being decoded are in memory, so the source may be a WAV file of any length.
 */

export type TranscribeSettings = {
  /** ISO 639-1 code; Whisper's language token is `<|code|>`. */
  language: string;
  task: 'transcribe' | 'translate';
  /** Windows decoded together. */
  batchSize: number;
  /** The VAD, or undefined to fall back to loudness-based windows over the whole audio. */
  vad?: SileroVad;
  /** 0–100 over the speech to decode. */
  onProgress?: (percent: number) => void;
};

/**
 * Speech per window. Whisper's context is 30 s, but it learned that speech running into the end
 * of the context continues in the next window, and tends to leave the last words of a full one
 * out; a few seconds of padding after the speech tell it that the speech has ended.
 */
const MAX_WINDOW = 27 * SAMPLE_RATE;
const MIN_WINDOW = 18 * SAMPLE_RATE;
/** Whisper writes about 3–4 tokens per second of speech: progress inside a batch is estimated from it. */
const TOKENS_PER_SECOND = 3.5;
/** Below this peak a window is silence (Whisper invents text for silence); used without a VAD. */
const SILENCE_PEAK = 1e-4;

export async function transcribeSource(runtime: WhisperRuntime, source: AudioSource, settings: TranscribeSettings): Promise<TimedToken[]> {
  const { vocabulary: vocab, parts } = runtime;
  const languageToken = tokenId(parts.tokenizer, `<|${settings.language}|>`);
  if (languageToken === undefined) throw new AppError('UNKNOWN_LANGUAGE', `Whisper has no language token for "${settings.language}"`);
  const prompt = [vocab.startOfTranscript, languageToken, vocab.task[settings.task], vocab.noTimestamps];

  const windows = await planSource(source, settings.vad);
  const total = Math.max(1, windows.reduce((sum, window) => sum + window.length, 0));
  let done = 0;
  const words: TimedToken[] = [];
  for (let first = 0; first < windows.length; first += settings.batchSize) {
    const batch = windows.slice(first, first + settings.batchSize);
    const inputs = [];
    for (const window of batch) inputs.push({ features: await runtime.features(await readWindow(source, window)), frames: Math.ceil(window.length / 320) });
    const decoded = await decodeWindows(runtime, inputs, prompt, (generated) => {
      const partial = batch.reduce((sum, window, i) => sum + Math.min(window.length, ((generated[i] ?? 0) / TOKENS_PER_SECOND) * SAMPLE_RATE), 0);
      settings.onProgress?.((100 * (done + partial)) / total);
    });
    decoded.forEach((result, i) => {
      const window = batch[i]!;
      for (const word of windowWords(parts.tokenizer, result)) {
        words.push({
          text: word.text,
          start: toSourceSample(window, word.start * SAMPLE_RATE) / SAMPLE_RATE,
          end: toSourceSample(window, word.end * SAMPLE_RATE) / SAMPLE_RATE,
        });
      }
      done += window.length;
    });
    settings.onProgress?.((100 * done) / total);
  }
  return words;
}

/** Speech windows from the VAD, or (without one) loudness-cut windows that are not silent. */
export async function planSource(source: AudioSource, vad?: SileroVad): Promise<SpeechWindow[]> {
  if (source.length === 0) return [];
  if (vad) {
    const probabilities = await vad.probabilities(source);
    const regions = speechRegions(probabilities, source.length);
    return planSpeechWindows(regions, probabilities, { maxSamples: MAX_WINDOW, minSamples: MIN_WINDOW });
  }
  const audio = await source.read(0, source.length);
  return planWindows(audio)
    .filter((window) => peak(audio.subarray(window.start, window.end)) >= SILENCE_PEAK)
    .map((window) => ({ pieces: [{ start: window.start, end: window.end, offset: 0 }], length: window.end - window.start }));
}

/** The window's pieces read from the source and joined. */
export async function readWindow(source: AudioSource, window: SpeechWindow): Promise<Float32Array> {
  const samples = new Float32Array(window.length);
  for (const piece of window.pieces) samples.set(await source.read(piece.start, piece.end), piece.offset);
  return samples;
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

import { planWindows, SAMPLE_RATE } from './audio-windows';
import type { AudioSource } from './audio-source';
import { speechRegions } from './speech-regions';
import { planSpeechWindows, type SpeechWindow } from './speech-windows';
import type { SileroVad, VadScanOptions } from './vad';

// Kept apart from transcriber.ts (which reaches onnxruntime through the decoder) so that planning
// windows, e.g. in a benchmark of the VAD, loads no model code.

/**
 * Speech per window. Whisper's context is 30 s, but it learned that a segment running into the
 * end of the context continues in the next one, and tends to leave the last words of a full
 * window out; a few seconds of padding after the speech tell it that the speech has ended.
 */
export const MAX_WINDOW = 27 * SAMPLE_RATE;
export const MIN_WINDOW = 18 * SAMPLE_RATE;

/** Below this peak a window is silence (Whisper invents text for silence); used without a VAD. */
const SILENCE_PEAK = 1e-4;

/** Speech windows from the VAD, or (without one) loudness-cut windows that are not silent. */
export async function planSource(source: AudioSource, vad?: SileroVad, scan?: VadScanOptions): Promise<SpeechWindow[]> {
  if (source.length === 0) return [];
  if (vad) {
    const probabilities = await vad.probabilities(source, 0, source.length, scan);
    const regions = speechRegions(probabilities, source.length);
    return planSpeechWindows(regions, probabilities, { maxSamples: MAX_WINDOW, minSamples: MIN_WINDOW });
  }
  const audio = await source.read(0, source.length);
  return planWindows(audio)
    .filter((window) => peak(audio.subarray(window.start, window.end)) >= SILENCE_PEAK)
    .map((window) => ({ pieces: [{ start: window.start, end: window.end, offset: 0 }], length: window.end - window.start }));
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

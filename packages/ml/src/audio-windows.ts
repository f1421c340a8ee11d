/**
 * Splits long audio into windows Whisper can take in one pass (at most 30 s).
 *
 * We cut at the quietest point near the end of each window rather than using the pipeline's
 * overlapping chunks: the overlap merge can drop or duplicate words at chunk edges, and handling
 * windows ourselves gives a natural progress measure (seconds done / seconds total).
 */

export const SAMPLE_RATE = 16_000;

/** A half-open sample range [start, end) of the input. */
export type AudioWindow = { start: number; end: number };

export type WindowOptions = {
  sampleRate?: number;
  /** Longest window in seconds (Whisper's context is 30 s). */
  maxSeconds?: number;
  /** Earliest cut in seconds from the window start; the cut is searched in [min, max]. */
  minSeconds?: number;
};

/** Loudness is measured over 200 ms frames moved in 20 ms hops: long enough to skip the gaps inside words. */
const FRAME_SECONDS = 0.2;
const HOP_SECONDS = 0.02;

export function planWindows(audio: Float32Array, options: WindowOptions = {}): AudioWindow[] {
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const maxSamples = Math.floor((options.maxSeconds ?? 30) * sampleRate);
  const minSamples = Math.floor((options.minSeconds ?? 20) * sampleRate);
  const windows: AudioWindow[] = [];
  let start = 0;
  while (audio.length - start > maxSamples) {
    const cut = quietestPoint(audio, start + minSamples, start + maxSamples, sampleRate);
    windows.push({ start, end: cut });
    start = cut;
  }
  if (audio.length > start || windows.length === 0) windows.push({ start, end: audio.length });
  return windows;
}

/** Centre of the lowest-energy frame lying entirely inside [from, to). */
function quietestPoint(audio: Float32Array, from: number, to: number, sampleRate: number): number {
  const frame = Math.max(1, Math.round(FRAME_SECONDS * sampleRate));
  const hop = Math.max(1, Math.round(HOP_SECONDS * sampleRate));
  let best = to;
  let bestEnergy = Number.POSITIVE_INFINITY;
  for (let frameStart = from; frameStart + frame <= to; frameStart += hop) {
    let energy = 0;
    for (let i = frameStart; i < frameStart + frame; i++) {
      const sample = audio[i] ?? 0;
      energy += sample * sample;
    }
    // `<=` prefers the latest of equally quiet frames, so windows stay as long as allowed.
    if (energy <= bestEnergy) {
      bestEnergy = energy;
      best = frameStart + Math.floor(frame / 2);
    }
  }
  return best;
}

/**
 * Speech regions from per-frame speech probabilities (Silero VAD, 512 samples per frame), with
 * the hysteresis of Silero's own get_speech_timestamps: speech starts above `threshold`, ends
 * only after `minSilenceSeconds` below `threshold - 0.15`; blips shorter than
 * `minSpeechSeconds` are dropped; regions are padded so that word edges are never clipped.
 */

export const VAD_FRAME_SAMPLES = 512;

/** A half-open sample range [start, end). */
export type SampleRange = { start: number; end: number };

export type RegionOptions = {
  threshold: number;
  minSpeechSeconds: number;
  minSilenceSeconds: number;
  padSeconds: number;
  /** Regions closer than this (after padding) are joined, the quiet between them kept. */
  joinGapSeconds: number;
  sampleRate: number;
};

export const defaultRegionOptions: RegionOptions = {
  threshold: 0.5,
  minSpeechSeconds: 0.25,
  // Short pauses inside a sentence stay inside one region; windows are then cut at longer ones.
  minSilenceSeconds: 0.3,
  padSeconds: 0.2,
  joinGapSeconds: 1,
  sampleRate: 16_000,
};

export function speechRegions(probabilities: Float32Array, totalSamples: number, options: Partial<RegionOptions> = {}): SampleRange[] {
  const o = { ...defaultRegionOptions, ...options };
  const off = o.threshold - 0.15;
  const minSilence = o.minSilenceSeconds * o.sampleRate;
  const minSpeech = o.minSpeechSeconds * o.sampleRate;
  const regions: SampleRange[] = [];
  let start = -1;
  let silenceSince = -1;
  for (let frame = 0; frame < probabilities.length; frame++) {
    const p = probabilities[frame]!;
    const at = frame * VAD_FRAME_SAMPLES;
    if (p >= o.threshold) {
      silenceSince = -1;
      if (start < 0) start = at;
      continue;
    }
    if (start < 0 || p >= off) continue;
    if (silenceSince < 0) silenceSince = at;
    if (at + VAD_FRAME_SAMPLES - silenceSince < minSilence) continue;
    if (silenceSince - start >= minSpeech) regions.push({ start, end: silenceSince });
    start = -1;
    silenceSince = -1;
  }
  if (start >= 0 && totalSamples - start >= minSpeech) regions.push({ start, end: totalSamples });
  return join(pad(regions, o.padSeconds * o.sampleRate, totalSamples), o.joinGapSeconds * o.sampleRate);
}

/**
 * Joins regions separated by less than `gap`: what lies between two words that close is kept
 * (a breathy "ah" or a soft syllable the VAD scored low), and only real pauses are left out.
 */
function join(regions: SampleRange[], gap: number): SampleRange[] {
  const joined: SampleRange[] = [];
  for (const region of regions) {
    const last = joined[joined.length - 1];
    if (last && region.start - last.end < gap) last.end = region.end;
    else joined.push({ ...region });
  }
  return joined;
}

/** Widens each region by `padding`, splitting a gap too short for both paddings in the middle. */
function pad(regions: SampleRange[], padding: number, totalSamples: number): SampleRange[] {
  return regions.map((region, i) => {
    const previous = regions[i - 1];
    const next = regions[i + 1];
    const start = previous ? Math.max(region.start - padding, Math.ceil((previous.end + region.start) / 2)) : Math.max(0, region.start - padding);
    const end = next ? Math.min(region.end + padding, Math.floor((region.end + next.start) / 2)) : Math.min(totalSamples, region.end + padding);
    return { start: Math.round(start), end: Math.round(end) };
  });
}

/** The sample at the centre of the least speech-like frame inside [from, to), for cutting long speech. */
export function leastSpeechAt(probabilities: Float32Array, from: number, to: number): number {
  const first = Math.ceil(from / VAD_FRAME_SAMPLES);
  const last = Math.floor(to / VAD_FRAME_SAMPLES) - 1;
  let best = -1;
  let bestProbability = Number.POSITIVE_INFINITY;
  for (let frame = first; frame <= last; frame++) {
    const p = probabilities[frame] ?? 0;
    // `<=` prefers the latest of equally quiet frames, so windows stay as long as allowed.
    if (p <= bestProbability) {
      bestProbability = p;
      best = frame;
    }
  }
  return best < 0 ? to : best * VAD_FRAME_SAMPLES + VAD_FRAME_SAMPLES / 2;
}

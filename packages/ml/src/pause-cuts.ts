import type { AudioSource } from './audio-source';
import { speechRegions, VAD_FRAME_SAMPLES, type SampleRange } from './speech-regions';
import type { SileroVad } from './vad';

/**
 * Where to cut a long recording into `parts` chunks of about equal length, each cut in the
 * longest pause near its target so that no word is split between two chunks. Only the search
 * ranges around the targets are read and scanned (±`searchSeconds`), not the whole recording.
 */

const SAMPLE_RATE = 16_000;

export async function pauseCuts(source: AudioSource, parts: number, vad: SileroVad | undefined, searchSeconds = 15): Promise<SampleRange[]> {
  const search = searchSeconds * SAMPLE_RATE;
  const cuts: number[] = [0];
  for (let k = 1; k < parts; k++) {
    const target = Math.round((source.length * k) / parts);
    const from = Math.max(cuts[cuts.length - 1]! + SAMPLE_RATE, target - search);
    const to = Math.min(source.length - SAMPLE_RATE, target + search);
    if (to - from < VAD_FRAME_SAMPLES * 4) continue;
    const probabilities = vad ? await vad.probabilities(source, from, to) : loudness(await source.read(from, to));
    // Every pause counts here (none joined away): the longest one in range is the cut.
    const regions = speechRegions(probabilities, to - from, { joinGapSeconds: 0 });
    cuts.push(from + longestPauseMiddle(regions, to - from));
  }
  cuts.push(source.length);
  return cuts.slice(1).map((end, i) => ({ start: cuts[i]!, end }));
}

/** The middle of the longest stretch without speech in [0, length), or the middle when all is speech. */
export function longestPauseMiddle(regions: readonly SampleRange[], length: number): number {
  let best = { start: length / 2, end: length / 2 };
  let cursor = 0;
  for (const region of [...regions, { start: length, end: length }]) {
    if (region.start - cursor > best.end - best.start) best = { start: cursor, end: region.start };
    cursor = Math.max(cursor, region.end);
  }
  return Math.round((best.start + best.end) / 2);
}

/** Without a VAD: frame loudness scaled so that speech-level frames read as likely speech. */
function loudness(samples: Float32Array): Float32Array {
  const frames = Math.floor(samples.length / VAD_FRAME_SAMPLES);
  const result = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let energy = 0;
    for (let i = frame * VAD_FRAME_SAMPLES; i < (frame + 1) * VAD_FRAME_SAMPLES; i++) energy += samples[i]! * samples[i]!;
    // RMS 0.01 (-40 dBFS) and up counts as speech.
    result[frame] = Math.min(1, Math.sqrt(energy / VAD_FRAME_SAMPLES) / 0.01);
  }
  return result;
}

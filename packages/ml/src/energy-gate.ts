import type { AudioSource } from './audio-source';
import { VAD_FRAME_SAMPLES } from './speech-regions';

/**
 * A cheap first pass before Silero: the stretches of a recording whose loudness stands out of
 * its noise floor, widened by margins. Frames outside them are so close to the floor that no
 * voice can be in them, and the VAD never runs there. It costs a few milliseconds per minute of
 * audio, where Silero costs a few hundred; on a long recording that is mostly quiet (a lecture
 * with pauses, a 2-hour recording with a talk now and then) most of the scan is skipped.
 *
 * The floor is measured, not assumed: a low percentile of frame energy per block of about 16 s,
 * the lowest of a block and its two neighbours, so that a block full of speech takes the floor
 * of the pauses around it. A frame counts as loud once it is `riseDb` above that floor, or above
 * `ceilingDb` whatever the floor: speech at any ordinary level is always scanned, and a noisy
 * recording (a floor near speech level) is scanned whole. Energies are smoothed over three
 * frames (96 ms) so that the floor's own flicker does not cross the threshold; every syllable
 * lasts longer than that. The margins then give Silero the soft edges of words (onsets and
 * trailing consonants below the threshold) and 5 s of audio to settle its state, and stretches
 * less than 10 s apart are scanned as one, pause included: within a talk, Silero then scores
 * every word exactly as a scan of every frame does (bench/vad-scan.ts compares the two).
 */

/** A half-open range of 512-sample frames [start, end). */
export type FrameRange = { start: number; end: number };

export type EnergyGateOptions = {
  /** dB above the local noise floor at which a frame is loud. */
  riseDb: number;
  /** A frame at least this loud (dBFS) is loud whatever the floor. */
  ceilingDb: number;
  /** Frames per block whose low percentile is the floor. */
  floorBlockFrames: number;
  /** The block's energy percentile taken as its floor (0–1). */
  floorPercentile: number;
  /** Frames of the energy moving average (odd). */
  smoothFrames: number;
  /** Frames scanned before a loud stretch (the quiet onset, and Silero's state settling). */
  beforeFrames: number;
  /** Frames scanned after it (trailing sounds, and Silero's hysteresis seeing the silence). */
  afterFrames: number;
  /**
   * Stretches this close (after their margins) are joined: the pause between them is scanned
   * too, so that Silero's state runs on through it as in a scan of every frame, and the next
   * words are scored as the full scan scores them. Pauses this short cost little to scan.
   */
  joinFrames: number;
};

const FRAMES_PER_SECOND = 16_000 / VAD_FRAME_SAMPLES;

export const defaultEnergyGateOptions: EnergyGateOptions = {
  // Measured on -50 dBFS pink noise (bench/vad-scan.ts): smoothed frame energies stay within
  // 7.5 dB of the 10th percentile over 2 hours, and speech sits 30 dB and more above it.
  riseDb: 10,
  ceilingDb: -35,
  floorBlockFrames: 500,
  floorPercentile: 0.1,
  smoothFrames: 3,
  beforeFrames: Math.round(5 * FRAMES_PER_SECOND),
  afterFrames: Math.round(1 * FRAMES_PER_SECOND),
  joinFrames: Math.round(10 * FRAMES_PER_SECOND),
};

/** Below this mean square (-100 dBFS) a frame is digital silence; it keeps the floor finite. */
const ENERGY_EPSILON = 1e-10;
/** Samples read per block by the first pass (32 s). */
const READ_BLOCK = 1000 * VAD_FRAME_SAMPLES;

/** The mean square of every whole frame of `samples`, written to `out` from frame `at`. */
export function frameEnergies(samples: Float32Array, out: Float32Array, at = 0): void {
  const frames = Math.min(Math.floor(samples.length / VAD_FRAME_SAMPLES), out.length - at);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    const end = (frame + 1) * VAD_FRAME_SAMPLES;
    for (let i = frame * VAD_FRAME_SAMPLES; i < end; i++) sum += samples[i]! * samples[i]!;
    out[at + frame] = sum / VAD_FRAME_SAMPLES;
  }
}

/** Frame energies of `frames` whole frames of `source` from sample `from`, read a block at a time. */
export async function readFrameEnergies(source: AudioSource, from: number, frames: number): Promise<Float32Array> {
  const energies = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += READ_BLOCK / VAD_FRAME_SAMPLES) {
    const start = from + frame * VAD_FRAME_SAMPLES;
    const end = from + Math.min(frames, frame + READ_BLOCK / VAD_FRAME_SAMPLES) * VAD_FRAME_SAMPLES;
    frameEnergies(await source.read(start, end), energies, frame);
  }
  return energies;
}

/** The loud stretches of `energies` (one per frame), widened by the margins and joined where they meet. */
export function loudStretches(energies: Float32Array, options: Partial<EnergyGateOptions> = {}): FrameRange[] {
  const o = { ...defaultEnergyGateOptions, ...options };
  const smooth = movingAverage(energies, o.smoothFrames);
  const floors = blockFloors(smooth, o.floorBlockFrames, o.floorPercentile);
  const rise = 10 ** (o.riseDb / 10);
  const ceiling = 10 ** (o.ceilingDb / 10);
  const stretches: FrameRange[] = [];
  for (let frame = 0; frame < smooth.length; frame++) {
    const block = Math.floor(frame / o.floorBlockFrames);
    const floor = Math.min(floors[block]!, floors[block - 1] ?? Infinity, floors[block + 1] ?? Infinity);
    if (smooth[frame]! < Math.min(floor * rise, ceiling)) continue;
    const start = Math.max(0, frame - o.beforeFrames);
    const end = Math.min(smooth.length, frame + 1 + o.afterFrames);
    const last = stretches[stretches.length - 1];
    if (last && start <= last.end + o.joinFrames) last.end = Math.max(last.end, end);
    else stretches.push({ start, end });
  }
  return stretches;
}

/** Frames inside `stretches`, for reports. */
export function stretchFrames(stretches: readonly FrameRange[]): number {
  return stretches.reduce((sum, stretch) => sum + stretch.end - stretch.start, 0);
}

function movingAverage(values: Float32Array, width: number): Float32Array {
  const half = Math.floor(width / 2);
  const result = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(values.length - 1, i + half); k++) {
      sum += values[k]!;
      count++;
    }
    result[i] = sum / count;
  }
  return result;
}

/** The `percentile` energy of each block of `size` frames, never below digital silence. */
function blockFloors(energies: Float32Array, size: number, percentile: number): number[] {
  const floors: number[] = [];
  for (let start = 0; start < energies.length; start += size) {
    const block = energies.slice(start, start + size).sort();
    floors.push(Math.max(ENERGY_EPSILON, block[Math.floor(percentile * (block.length - 1))]!));
  }
  return floors;
}

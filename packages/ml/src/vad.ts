import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { AudioSource } from './audio-source';
import { modelSettings, type ModelSettings } from './model-env';
import { VAD_FILE, VAD_MODEL_ID } from './model-files';
import { VAD_FRAME_SAMPLES } from './speech-regions';

/**
 * Silero VAD v5 (snakers4/silero-vad, MIT): one speech probability per 32 ms frame. It runs at
 * several hundred times real time on one core, so a whole source is scanned before Whisper
 * starts; the source is read in blocks, never held whole. See models/README.md for its inputs.
 */

export const VAD_MODEL_PATH = `${VAD_MODEL_ID}/${VAD_FILE}`;
const CONTEXT = 64;
/** Samples read per block: 1000 frames (32 s). */
const BLOCK = 1000 * VAD_FRAME_SAMPLES;

/** The Silero file in the models folder or the cache, or undefined when neither has it. */
export function findVadModel(settings: ModelSettings = modelSettings()): string | undefined {
  return [settings.modelsDir, settings.cacheDir].filter(Boolean).map((dir) => join(dir, VAD_MODEL_PATH)).find((file) => existsSync(file));
}

export class SileroVad {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly session: ort.InferenceSession) {}

  /** One thread: a 576-sample frame is far too small to share between cores. */
  static async load(file: string): Promise<SileroVad> {
    return new SileroVad(await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 }));
  }

  /** Speech probability of every whole 512-sample frame of `source` in [from, to). */
  probabilities(source: AudioSource, from = 0, to = source.length): Promise<Float32Array> {
    // The RNN state is per call, but one session runs one call at a time.
    const run = this.queue.then(() => this.scan(source, from, to));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  /**
   * Long ranges are cut into up to 8 lanes scanned side by side as one batch (the model takes a
   * batch of independent streams): one run per 32 ms serves 8 frames, 2.5× fewer runs' overhead.
   * Each lane after the first starts 3 s early, so that its state has settled by its first frame.
   */
  private async scan(source: AudioSource, from: number, to: number): Promise<Float32Array> {
    const frames = Math.max(0, Math.floor((to - from) / VAD_FRAME_SAMPLES));
    const result = new Float32Array(frames);
    const laneCount = Math.max(1, Math.min(MAX_LANES, Math.floor(frames / MIN_LANE_FRAMES)));
    const perLane = Math.ceil(frames / laneCount);
    const lanes = Array.from({ length: laneCount }, (_, k) => {
      const first = k * perLane;
      const warmUp = Math.min(first, WARM_UP_FRAMES);
      return { first, last: Math.min(frames, first + perLane), cursor: first - warmUp, block: new Float32Array(0), blockStart: 0 };
    });
    let state = new ort.Tensor('float32', new Float32Array(2 * laneCount * 128), [2, laneCount, 128]);
    const sampleRate = new ort.Tensor('int64', BigInt64Array.from([16_000n]), []);
    const width = CONTEXT + VAD_FRAME_SAMPLES;
    const input = new Float32Array(laneCount * width);
    const steps = Math.max(...lanes.map((lane) => lane.last - lane.cursor));
    for (let step = 0; step < steps; step++) {
      for (const [k, lane] of lanes.entries()) {
        const row = input.subarray(k * width, (k + 1) * width);
        row.copyWithin(0, VAD_FRAME_SAMPLES); // the previous frame's last 64 samples are this one's context
        row.set(await this.frame(source, from, lane, to), CONTEXT);
      }
      const out = await this.session.run({ input: new ort.Tensor('float32', input, [laneCount, width]), state, sr: sampleRate });
      const probabilities = out.output!.data as Float32Array;
      for (const [k, lane] of lanes.entries()) {
        if (lane.cursor >= lane.first && lane.cursor < lane.last) result[lane.cursor] = probabilities[k] ?? 0;
        lane.cursor++;
      }
      state = out.stateN as typeof state;
    }
    return result;
  }

  /** The lane's next 512 samples (zeros past its end), read from the source a block at a time. */
  private async frame(source: AudioSource, from: number, lane: Lane, to: number): Promise<Float32Array> {
    const at = from + lane.cursor * VAD_FRAME_SAMPLES;
    if (lane.cursor >= lane.last) return ZEROS;
    if (at < lane.blockStart || at + VAD_FRAME_SAMPLES > lane.blockStart + lane.block.length) {
      lane.blockStart = at;
      lane.block = await source.read(at, Math.min(to, at + BLOCK));
    }
    const offset = at - lane.blockStart;
    return lane.block.subarray(offset, offset + VAD_FRAME_SAMPLES);
  }
}

type Lane = { first: number; last: number; cursor: number; block: Float32Array; blockStart: number };

const MAX_LANES = 8;
/** A lane is at least 30 s long; shorter ranges use fewer lanes. */
const MIN_LANE_FRAMES = 938;
const WARM_UP_FRAMES = 94;
const ZEROS = new Float32Array(VAD_FRAME_SAMPLES);

const loaded = new Map<string, Promise<SileroVad>>();

/** The process's VAD for this file, loaded on first use (a failed load is not cached). */
export function getVad(file: string): Promise<SileroVad> {
  let vad = loaded.get(file);
  if (!vad) {
    vad = SileroVad.load(file);
    loaded.set(file, vad);
    vad.catch(() => loaded.delete(file));
  }
  return vad;
}

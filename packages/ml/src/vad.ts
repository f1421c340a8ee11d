import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { AudioSource } from './audio-source';
import { modelSettings, type ModelSettings } from './model-env';
import { VAD_FILE, VAD_MODEL_ID } from './model-files';
import { loudStretches, readFrameEnergies, type EnergyGateOptions } from './energy-gate';
import { VAD_FRAME_SAMPLES } from './speech-regions';
import { planLanes, type LanePiece } from './vad-lanes';

/**
 * Silero VAD v5 (snakers4/silero-vad, MIT): one speech probability per 32 ms frame. A cheap
 * energy pass first finds the stretches that stand out of the noise floor (energy-gate.ts), and
 * only those are scanned, several side by side as one batch (vad-lanes.ts); the rest of the
 * recording is near-silent and scores 0. The source is read in blocks, never held whole. See
 * models/README.md for the model's inputs.
 */

export const VAD_MODEL_PATH = `${VAD_MODEL_ID}/${VAD_FILE}`;
const CONTEXT = 64;
const WIDTH = CONTEXT + VAD_FRAME_SAMPLES;
const STATE = 128;
/** Samples read per block: 1000 frames (32 s). */
const BLOCK = 1000 * VAD_FRAME_SAMPLES;

/**
 * `energy` (default): Silero runs only where the energy pass found something above the noise
 * floor. `none`: every frame is scanned, as before the energy pass existed (benchmarks compare
 * the two in one process).
 */
export type VadFirstPass = 'energy' | 'none';

export type VadScanOptions = { firstPass?: VadFirstPass; gate?: Partial<EnergyGateOptions> };

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
  probabilities(source: AudioSource, from = 0, to = source.length, options: VadScanOptions = {}): Promise<Float32Array> {
    // The RNN state is per call, but one session runs one call at a time.
    const run = this.queue.then(() => this.scan(source, from, to, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  private async scan(source: AudioSource, from: number, to: number, options: VadScanOptions): Promise<Float32Array> {
    const frames = Math.max(0, Math.floor((to - from) / VAD_FRAME_SAMPLES));
    const stretches =
      (options.firstPass ?? 'energy') === 'energy'
        ? loudStretches(await readFrameEnergies(source, from, frames), options.gate)
        : [{ start: 0, end: frames }];
    const result = new Float32Array(frames);
    await this.runLanes(planLanes(stretches), source, from, result);
    return result;
  }

  /**
   * Runs the lanes as one batch, one frame of each per model run, until every lane has scanned
   * its pieces; a lane that is done is fed silence. Probabilities land in `result` (frame index).
   */
  private async runLanes(plan: LanePiece[][], source: AudioSource, from: number, result: Float32Array): Promise<void> {
    const laneCount = plan.length;
    if (laneCount === 0) return;
    const lanes: Lane[] = plan.map((pieces) => ({ pieces, piece: 0, cursor: pieces[0]!.from, block: ZEROS, blockStart: -1, blockEnd: -1 }));
    let state = new ort.Tensor('float32', new Float32Array(2 * laneCount * STATE), [2, laneCount, STATE]);
    const sampleRate = new ort.Tensor('int64', BigInt64Array.from([16_000n]), []);
    const input = new Float32Array(laneCount * WIDTH);
    const inputTensor = new ort.Tensor('float32', input, [laneCount, WIDTH]);
    while (lanes.some((lane) => lane.piece < lane.pieces.length)) {
      for (const [k, lane] of lanes.entries()) {
        const row = input.subarray(k * WIDTH, (k + 1) * WIDTH);
        const piece = lane.pieces[lane.piece];
        if (piece && lane.cursor === piece.from) {
          // A fresh stream: no context, zero state.
          row.fill(0);
          const data = state.data as Float32Array;
          data.fill(0, k * STATE, (k + 1) * STATE);
          data.fill(0, (laneCount + k) * STATE, (laneCount + k + 1) * STATE);
        }
        row.copyWithin(0, VAD_FRAME_SAMPLES); // the previous frame's last 64 samples are this one's context
        row.set(piece ? await this.frame(source, from, lane, piece) : ZEROS, CONTEXT);
      }
      const out = await this.session.run({ input: inputTensor, state, sr: sampleRate });
      const probabilities = out.output!.data as Float32Array;
      for (const [k, lane] of lanes.entries()) {
        const piece = lane.pieces[lane.piece];
        if (!piece) continue;
        if (lane.cursor >= piece.first) result[lane.cursor] = probabilities[k] ?? 0;
        lane.cursor++;
        if (lane.cursor >= piece.last) {
          lane.piece++;
          lane.cursor = lane.pieces[lane.piece]?.from ?? lane.cursor;
        }
      }
      state = out.stateN as typeof state;
    }
  }

  /** The lane's next 512 samples, read from the source a block at a time (never past the piece). */
  private async frame(source: AudioSource, from: number, lane: Lane, piece: LanePiece): Promise<Float32Array> {
    const at = from + lane.cursor * VAD_FRAME_SAMPLES;
    if (at < lane.blockStart || at + VAD_FRAME_SAMPLES > lane.blockEnd) {
      lane.blockStart = at;
      lane.block = await source.read(at, Math.min(from + piece.last * VAD_FRAME_SAMPLES, at + BLOCK));
      lane.blockEnd = at + lane.block.length;
    }
    const offset = at - lane.blockStart;
    return lane.block.subarray(offset, offset + VAD_FRAME_SAMPLES);
  }
}

type Lane = { pieces: LanePiece[]; piece: number; cursor: number; block: Float32Array; blockStart: number; blockEnd: number };

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

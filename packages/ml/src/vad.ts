import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { AudioSource } from './audio-source';
import { modelSettings, type ModelSettings } from './model-env';
import { VAD_FRAME_SAMPLES } from './speech-regions';

/**
 * Silero VAD v5 (snakers4/silero-vad, MIT): one speech probability per 32 ms frame. It runs at
 * roughly 250× real time on one core, so a whole source is scanned before Whisper starts; the
 * source is read in blocks, never held whole. See models/README.md for the inputs and outputs.
 */

export const VAD_MODEL_PATH = 'snakers4/silero-vad/silero_vad.onnx';
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

  private async scan(source: AudioSource, from: number, to: number): Promise<Float32Array> {
    const frames = Math.max(0, Math.floor((to - from) / VAD_FRAME_SAMPLES));
    const result = new Float32Array(frames);
    let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    const sampleRate = new ort.Tensor('int64', BigInt64Array.from([16_000n]), []);
    const input = new Float32Array(CONTEXT + VAD_FRAME_SAMPLES);
    let frame = 0;
    for (let blockStart = from; frame < frames; blockStart += BLOCK) {
      const block = await source.read(blockStart, Math.min(blockStart + BLOCK, from + frames * VAD_FRAME_SAMPLES));
      for (let at = 0; at + VAD_FRAME_SAMPLES <= block.length; at += VAD_FRAME_SAMPLES) {
        input.copyWithin(0, VAD_FRAME_SAMPLES); // the previous frame's last 64 samples are this one's context
        input.set(block.subarray(at, at + VAD_FRAME_SAMPLES), CONTEXT);
        const out = await this.session.run({ input: new ort.Tensor('float32', input, [1, input.length]), state, sr: sampleRate });
        result[frame++] = (out.output!.data as Float32Array)[0] ?? 0;
        state = out.stateN as typeof state;
      }
    }
    return result;
  }
}

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

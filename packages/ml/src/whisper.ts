import { pipeline, WhisperTextStreamer } from '@huggingface/transformers';
import { getLanguage, type Segment } from '@babelfish/core';
import { planWindows, SAMPLE_RATE } from './audio-windows';
import { assertModelAvailable, modelLoadError } from './model-env';
import { cleanWordTimes, segmentWords, type TimedToken } from './segmenter';
import { detectSpokenLanguage, type LanguageDetection } from './whisper-language';
import type { AsrPipeline } from './whisper-pipeline';

/**
 * Whisper speech recognition (and speech → English translation) on 16 kHz mono Float32 audio.
 * Loading a model takes seconds and hundreds of MB, so each model id + dtype is loaded once per
 * process (getWhisper) and shared; calls on one model run one at a time because they would only
 * compete for the same CPU cores.
 */

export const DEFAULT_WHISPER_MODEL = 'Xenova/whisper-base';
/** 8-bit weights: the only ONNX files shipped for offline use, and 2–4× faster than fp32 on CPU. */
export const DEFAULT_WHISPER_DTYPE = 'q8';

export type WhisperTask = 'transcribe' | 'translate';

export type TranscribeOptions = {
  /** ISO 639-1 code of the spoken language (from the core languages table). */
  language: string;
  /** `translate` produces English text whatever the spoken language. */
  task?: WhisperTask;
  /** 0–100, never decreasing, ends at 100. */
  onProgress?: (percent: number) => void;
};

/**
 * What stage code needs from a speech model. WhisperModel runs it on the calling thread; the
 * worker app runs it in a worker_thread behind the same interface, so that inference never
 * blocks the event loop that renews BullMQ job locks.
 */
export interface SpeechModel {
  readonly modelId: string;
  readonly dtype: string;
  detectLanguage(audio: Float32Array): Promise<LanguageDetection>;
  transcribe(audio: Float32Array, options: TranscribeOptions): Promise<Segment[]>;
  dispose(): Promise<void>;
}

/** Peak amplitude below which a window is treated as silence and skipped (Whisper invents text for silence). */
const SILENCE_PEAK = 1e-4;

export class WhisperModel implements SpeechModel {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly modelId: string,
    readonly dtype: string,
    private readonly asr: AsrPipeline,
  ) {}

  static async load(modelId: string, dtype: string): Promise<WhisperModel> {
    assertModelAvailable(modelId);
    try {
      const asr = await pipeline('automatic-speech-recognition', modelId, { dtype: dtype as 'q8', device: 'cpu' });
      return new WhisperModel(modelId, dtype, asr as unknown as AsrPipeline);
    } catch (error) {
      throw modelLoadError(modelId, error);
    }
  }

  /** Most likely spoken language of the first 30 s, among the languages Babelfish knows. */
  detectLanguage(audio: Float32Array): Promise<LanguageDetection> {
    return this.exclusive(() => detectSpokenLanguage(this.asr, audio));
  }

  /** Subtitle-sized segments with word timings, in seconds from the start of `audio`. */
  async transcribe(audio: Float32Array, options: TranscribeOptions): Promise<Segment[]> {
    const language = getLanguage(options.language); // throws UNKNOWN_LANGUAGE before any work
    return this.exclusive(() => this.run(audio, language.whisper, options.task ?? 'transcribe', options.onProgress));
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.asr.dispose();
  }

  private async run(
    audio: Float32Array,
    whisperLanguage: string,
    task: WhisperTask,
    onProgress?: (percent: number) => void,
  ): Promise<Segment[]> {
    const report = monotonicReporter(onProgress);
    report(0);
    if (audio.length === 0) {
      report(100);
      return [];
    }
    const duration = audio.length / SAMPLE_RATE;
    const tokens: TimedToken[] = [];

    for (const window of planWindows(audio)) {
      const offset = window.start / SAMPLE_RATE;
      const windowEnd = window.end / SAMPLE_RATE;
      const samples = audio.subarray(window.start, window.end);
      if (peak(samples) >= SILENCE_PEAK) {
        // Segment-end timestamps stream out while decoding: finer progress than one step per window.
        const streamer = new WhisperTextStreamer(this.asr.tokenizer as never, {
          skip_prompt: true,
          callback_function: () => undefined,
          // Capped below 100 so that 100 means "segments returned", not "last token decoded".
          on_chunk_end: (seconds: number) => report(Math.min(99, (100 * Math.min(offset + seconds, windowEnd)) / duration)),
        });
        const output = await this.asr(samples, { language: whisperLanguage, task, return_timestamps: 'word', streamer });
        for (const chunk of output.chunks ?? []) {
          const [start, end] = chunk.timestamp;
          tokens.push({ text: chunk.text, start: offset + start, end: offset + (end ?? start) });
        }
      }
      report((100 * window.end) / audio.length);
    }
    report(100);
    return segmentWords(cleanWordTimes(tokens, duration));
  }

  /** Runs `task` after every earlier call on this model has settled. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

const models = new Map<string, Promise<WhisperModel>>();

/** The shared model for this id and dtype, loading it on first use. A failed load is not cached. */
export function getWhisper(modelId: string = DEFAULT_WHISPER_MODEL, dtype: string = DEFAULT_WHISPER_DTYPE): Promise<WhisperModel> {
  const key = `${modelId}|${dtype}`;
  let model = models.get(key);
  if (!model) {
    model = WhisperModel.load(modelId, dtype);
    models.set(key, model);
    model.catch(() => models.delete(key));
  }
  return model;
}

/** Frees every loaded Whisper model (worker shutdown, tests). */
export async function disposeWhisperModels(): Promise<void> {
  const loaded = [...models.values()];
  models.clear();
  for (const model of loaded) {
    await model.then((m) => m.dispose()).catch(() => undefined);
  }
}

function monotonicReporter(onProgress?: (percent: number) => void): (percent: number) => void {
  let last = -1;
  return (percent) => {
    if (!Number.isFinite(percent)) return;
    const value = Math.min(100, Math.max(0, Math.round(percent * 10) / 10));
    if (value <= last) return;
    last = value;
    onProgress?.(value);
  };
}

function peak(samples: Float32Array): number {
  let max = 0;
  for (const sample of samples) max = Math.max(max, Math.abs(sample));
  return max;
}

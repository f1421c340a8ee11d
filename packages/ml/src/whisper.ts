import type { Segment } from '@babelfish/core';
import { SAMPLE_RATE } from './audio-windows';
import type { SpeechAudio } from './audio-source';
import { DEFAULT_SAFEGUARDS, type DecodeSafeguards } from './decode-quality';
import type { DownloadListener } from './model-download';
import { deviceFor } from './model-env';
import type { TimedToken } from './segmenter';
import type { LanguageDetection } from './whisper-language';
import type { WhisperModel } from './whisper-model';
import type { WhisperRuntimeLevers } from './whisper-runtime-levers';

export type { WhisperModel } from './whisper-model';
export { DEFAULT_RUNTIME_LEVERS, PREVIOUS_RUNTIME_LEVERS, type OutputProjection, type WhisperRuntimeLevers } from './whisper-runtime-levers';

/**
 * Whisper speech recognition (and speech → English translation) on 16 kHz mono audio, in memory
 * or in a WAV file. Loading a model takes seconds and hundreds of MB, so each model id + dtype
 * is loaded once per process (getWhisper) and kept warm; calls on one model run one at a time
 * because they would only compete for the same CPU cores. Silero VAD picks the speech, which is
 * packed into windows cut at pauses and decoded a batch at a time (transcriber.ts).
 *
 * This module only names things: the model itself (whisper-model.ts, with onnxruntime and the
 * tokenizer) is imported on the first getWhisper, so a process that never transcribes (the API,
 * a mux-only worker) never loads it.
 */

export const DEFAULT_WHISPER_MODEL = 'Xenova/whisper-base';
/** 8-bit weights: the only ONNX files shipped for offline use, and 2–4× faster than fp32 on CPU. */
export const DEFAULT_WHISPER_DTYPE = 'q8';
/** Windows decoded together (bench/README.md has the measurements behind it). */
export const DEFAULT_WHISPER_BATCH = 4;

export type WhisperTask = 'transcribe' | 'translate';

export type WhisperOptions = {
  /** onnxruntime intra-op threads; 0 (default) lets onnxruntime use every core. */
  threads?: number;
  batchSize?: number;
  /** Use Silero VAD when its file is installed (default); false forces loudness-based windows. */
  vad?: boolean;
  /** Quality checks and temperature fallback (decode-quality.ts); unset fields keep openai/whisper's defaults. */
  safeguards?: Partial<DecodeSafeguards>;
  /** Memory, speed and start-up trade-offs of the ONNX runtime (whisper-runtime.ts); unset fields keep the defaults. */
  levers?: Partial<WhisperRuntimeLevers>;
};

export type TranscribeOptions = {
  /** ISO 639-1 code of the spoken language (from the core languages table). */
  language: string;
  /** `translate` produces English text whatever the spoken language. */
  task?: WhisperTask;
  /** 0–100, never decreasing, ends at 100. */
  onProgress?: (percent: number) => void;
  /** Stops the work before the next batch of windows (CANCELED); the batch in flight finishes. */
  signal?: AbortSignal;
  /** Give each segment its text's token ids (`tokens`, for OpenAI's verbose_json). */
  withTokens?: boolean;
  /** Previous text that guides spelling and style (OpenAI's `prompt`, whisper-asr's `initial_prompt`). */
  prompt?: string;
  /** The first temperature of the fallback schedule (OpenAI's `temperature`); the configured schedule's first otherwise. */
  temperature?: number;
};

/**
 * What stage code needs from a speech model. WhisperModel runs it on the calling thread; the
 * worker app runs it in a worker_thread behind the same interface, so that inference never
 * blocks the event loop that renews BullMQ job locks.
 */
export interface SpeechModel {
  readonly modelId: string;
  readonly dtype: string;
  /** Most likely spoken language of the first 30 s of speech, among the languages Babelfish knows. */
  detectLanguage(audio: SpeechAudio): Promise<LanguageDetection>;
  /** Subtitle-sized segments with word timings, in seconds from the start of `audio`. */
  transcribe(audio: SpeechAudio, options: TranscribeOptions): Promise<Segment[]>;
  /** The timed words before segmentation (the chunks of one recording are merged from these). */
  transcribeWords(audio: SpeechAudio, options: TranscribeOptions): Promise<TimedToken[]>;
  dispose(): Promise<void>;
}

/** Language detection looks for the first speech in this much audio (5 min). */
export const LANGUAGE_SCAN_SAMPLES = 300 * SAMPLE_RATE;

/** Running totals of what the safeguards did, since the model was loaded. */
export type SafeguardCounters = {
  /** Windows decoded (a re-decoded tail counts again). */
  windows: number;
  /** Windows decoded again at a higher temperature. */
  fallbacks: number;
  /** Windows taken for silence (their text dropped). */
  silent: number;
  /** Windows whose kept text still looped and was collapsed. */
  collapsed: number;
};

const models = new Map<string, Promise<WhisperModel>>();

/**
 * The shared model for this id, dtype and settings, loading it on first use. A failed load is not
 * cached. `onDownload` hears the download of missing files when this call starts the load.
 */
export function getWhisper(
  modelId: string = DEFAULT_WHISPER_MODEL,
  dtype: string = DEFAULT_WHISPER_DTYPE,
  options: WhisperOptions = {},
  onDownload?: DownloadListener,
): Promise<WhisperModel> {
  const key = JSON.stringify([
    modelId,
    dtype,
    options.threads ?? 0,
    options.batchSize ?? DEFAULT_WHISPER_BATCH,
    options.vad ?? true,
    resolveSafeguards(options.safeguards),
    options.levers ?? {},
    deviceFor('transcribe'), // a benchmark loads the same model on both devices
  ]);
  let model = models.get(key);
  if (!model) {
    model = import('./whisper-model').then(({ WhisperModel }) => WhisperModel.load(modelId, dtype, options, onDownload));
    models.set(key, model);
    model.catch(() => models.delete(key));
  }
  return model;
}

/** openai/whisper's defaults overridden by the fields given (undefined fields keep the default). */
export function resolveSafeguards(overrides: Partial<DecodeSafeguards> = {}): DecodeSafeguards {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const safeguards = { ...DEFAULT_SAFEGUARDS, ...defined } as DecodeSafeguards;
  return { ...safeguards, temperatures: safeguards.temperatures.length > 0 ? [...safeguards.temperatures] : [0] };
}

/**
 * The fallback schedule starting at `first` (OpenAI's `temperature`): `first`, then the
 * configured temperatures above it, so a window that fails its checks is still sampled hotter.
 */
export function temperaturesFrom(first: number | undefined, schedule: readonly number[]): number[] {
  if (first === undefined) return [...schedule];
  return [first, ...schedule.filter((temperature) => temperature > first)];
}

/** Frees every loaded Whisper model (worker shutdown, tests). */
export async function disposeWhisperModels(): Promise<void> {
  const loaded = [...models.values()];
  models.clear();
  for (const model of loaded) {
    await model.then((m) => m.dispose()).catch(() => undefined);
  }
}

import { getLanguage, type Segment } from '@babelfish/core';
import { SAMPLE_RATE } from './audio-windows';
import { withAudioSource, type AudioSource, type SpeechAudio } from './audio-source';
import { DEFAULT_SAFEGUARDS, type DecodeSafeguards } from './decode-quality';
import type { DownloadListener } from './model-download';
import { ensureSpeechModels } from './model-ensure';
import { deviceFor, modelLoadError } from './model-env';
import { cleanWordTimes, segmentWords, type TimedToken } from './segmenter';
import { planSource, readWindow, transcribeSource } from './transcriber';
import { findVadModel, getVad, type SileroVad } from './vad';
import { detectSpokenLanguage, type LanguageDetection } from './whisper-language';
import { loadWhisperRuntime, type WhisperRuntime } from './whisper-runtime';

/**
 * Whisper speech recognition (and speech → English translation) on 16 kHz mono audio, in memory
 * or in a WAV file. Loading a model takes seconds and hundreds of MB, so each model id + dtype
 * is loaded once per process (getWhisper) and kept warm; calls on one model run one at a time
 * because they would only compete for the same CPU cores. Silero VAD picks the speech, which is
 * packed into windows cut at pauses and decoded a batch at a time (transcriber.ts).
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
const DETECTION_WINDOW = 30 * SAMPLE_RATE;

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

export class WhisperModel implements SpeechModel {
  private queue: Promise<unknown> = Promise.resolve();
  readonly counters: SafeguardCounters = { windows: 0, fallbacks: 0, silent: 0, collapsed: 0 };

  private constructor(
    readonly modelId: string,
    readonly dtype: string,
    private readonly runtime: WhisperRuntime,
    private readonly vad: SileroVad | undefined,
    private readonly batchSize: number,
    private readonly safeguards: DecodeSafeguards,
  ) {}

  /** Downloads missing files into the cache first (model-ensure.ts), telling `onDownload` how far it got. */
  static async load(modelId: string, dtype: string, options: WhisperOptions = {}, onDownload?: DownloadListener): Promise<WhisperModel> {
    await ensureSpeechModels(modelId, { dtype, vad: options.vad, onProgress: onDownload });
    try {
      const vadFile = options.vad === false ? undefined : findVadModel();
      const [runtime, vad] = await Promise.all([
        loadWhisperRuntime(modelId, dtype, { threads: options.threads }),
        vadFile ? getVad(vadFile) : undefined,
      ]);
      const batch = Math.max(1, options.batchSize ?? DEFAULT_WHISPER_BATCH);
      return new WhisperModel(modelId, dtype, runtime, vad, batch, resolveSafeguards(options.safeguards));
    } catch (error) {
      throw modelLoadError(modelId, error);
    }
  }

  /** Whether speech is found with Silero VAD (false: its file is missing, or it was turned off). */
  get usesVad(): boolean {
    return this.vad !== undefined;
  }

  detectLanguage(audio: SpeechAudio): Promise<LanguageDetection> {
    return this.exclusive(() => withAudioSource(audio, async (source) => detectSpokenLanguage(this.runtime, await this.firstSpeech(source))));
  }

  async transcribe(audio: SpeechAudio, options: TranscribeOptions): Promise<Segment[]> {
    getLanguage(options.language); // throws UNKNOWN_LANGUAGE before any work
    return this.exclusive(() =>
      withAudioSource(audio, async (source) => {
        const segments = segmentWords(cleanWordTimes(await this.words(source, options), source.length / SAMPLE_RATE));
        return options.withTokens ? segments.map((segment) => ({ ...segment, tokens: this.textTokens(segment.text) })) : segments;
      }),
    );
  }

  async transcribeWords(audio: SpeechAudio, options: TranscribeOptions): Promise<TimedToken[]> {
    getLanguage(options.language);
    return this.exclusive(() => withAudioSource(audio, (source) => this.words(source, options)));
  }

  /**
   * The segment text's token ids. Segments are cut from words (segmenter.ts), not from Whisper's
   * own segments, so the ids are the text encoded again by Whisper's tokenizer: the decoder's
   * ids for ordinary text, without its timestamp and special tokens.
   */
  private textTokens(text: string): number[] {
    return this.runtime.parts.tokenizer.encode(` ${text.trim()}`, { add_special_tokens: false });
  }

  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.runtime.dispose();
  }

  private async words(source: AudioSource, options: TranscribeOptions): Promise<TimedToken[]> {
    const report = monotonicReporter(options.onProgress);
    report(0);
    const words = await transcribeSource(this.runtime, source, {
      language: options.language,
      task: options.task ?? 'transcribe',
      batchSize: this.batchSize,
      vad: this.vad,
      safeguards: this.safeguards,
      signal: options.signal,
      onWindow: ({ result, attempts, collapsed }) => {
        this.counters.windows++;
        if (attempts > 1) this.counters.fallbacks++;
        if (!result) this.counters.silent++;
        if (collapsed) this.counters.collapsed++;
      },
      // Capped below 100 so that 100 means "words returned", not "last token decoded".
      onProgress: (percent) => report(Math.min(99, percent)),
    });
    report(100);
    return words;
  }

  /** The first window of speech (VAD) in the first minutes, or the first 30 s when none is found. */
  private async firstSpeech(source: AudioSource): Promise<Float32Array> {
    const prefix: AudioSource = { length: Math.min(source.length, LANGUAGE_SCAN_SAMPLES), read: (start, end) => source.read(start, end) };
    const [window] = await planSource(prefix, this.vad);
    return window ? readWindow(source, window) : source.read(0, DETECTION_WINDOW);
  }

  /** Runs `task` after every earlier call on this model has settled. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

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
    deviceFor('transcribe'), // a benchmark loads the same model on both devices
  ]);
  let model = models.get(key);
  if (!model) {
    model = WhisperModel.load(modelId, dtype, options, onDownload);
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

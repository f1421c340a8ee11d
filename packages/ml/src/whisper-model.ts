import { getLanguage, type Segment } from '@babelfish/core';
import { SAMPLE_RATE } from './audio-windows';
import { withAudioSource, type AudioSource, type SpeechAudio } from './audio-source';
import type { DecodeSafeguards } from './decode-quality';
import type { DownloadListener } from './model-download';
import { ensureSpeechModels } from './model-ensure';
import { modelLoadError } from './model-env';
import { cleanWordTimes, segmentWords, type TimedToken } from './segmenter';
import { readWindow, transcribeSource } from './transcriber';
import { planSource } from './window-plan';
import { findVadModel, getVad, type SileroVad } from './vad-loader';
import { DEFAULT_WHISPER_BATCH, LANGUAGE_SCAN_SAMPLES, resolveSafeguards, temperaturesFrom, type SafeguardCounters, type SpeechModel, type TranscribeOptions, type WhisperOptions } from './whisper';
import { detectSpokenLanguage, type LanguageDetection } from './whisper-language';
import { loadWhisperRuntime, type WhisperRuntime } from './whisper-runtime';

/** Whisper on the calling thread (whisper.ts describes it; getWhisper shares one per process). */

const DETECTION_WINDOW = 30 * SAMPLE_RATE;

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
        loadWhisperRuntime(modelId, dtype, { threads: options.threads, levers: options.levers }),
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
    return this.runtime.tokenizer.encode(` ${text.trim()}`);
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
      safeguards: options.temperature === undefined ? this.safeguards : { ...this.safeguards, temperatures: temperaturesFrom(options.temperature, this.safeguards.temperatures) },
      initialPrompt: options.prompt,
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

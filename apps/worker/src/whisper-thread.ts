import { AppError, getLanguage, type Segment } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';
import {
  DEFAULT_RUNTIME_LEVERS,
  ensureSpeechModels,
  LANGUAGE_SCAN_SAMPLES,
  type DownloadListener,
  type LanguageDetection,
  type ModelSettings,
  type SpeechAudio,
  type SpeechModel,
  type TimedToken,
  type TranscribeOptions,
  type WhisperOptions,
} from '@babelfish/ml';
import { ModelThread } from './model-thread';
import { threadScript } from './thread-script';
import type { WhisperReply, WhisperRequest, WhisperThreadData } from './whisper-thread-protocol';

/**
 * Whisper in a worker_thread, behind the same SpeechModel interface as the in-process model.
 *
 * Why: onnxruntime-node runs every inference step synchronously on the thread that calls it.
 * Measured with whisper-base q8 on 2 cores, a 3-minute transcription blocked the event loop for
 * up to 1.9 s at a time alone, and 3–6.7 s with a second transcription competing for the CPU —
 * long enough for BullMQ's lock renewal (every lockDuration / 2) to miss, the lock to lapse and
 * the job to be taken as stalled and run twice (seen in tests/reliability/inference-lock with
 * a 4 s lock). With Whisper in this thread the main loop's longest stall was under 0.2 s. In a thread, the main event loop stays free to
 * renew locks, run the stalled-job check, write progress and react to SIGTERM.
 *
 * The model is loaded once per thread, and there is one thread per worker process.
 */

export type WhisperThreadOptions = { modelId: string; dtype: string; models: ModelSettings; options: WhisperOptions };

/** The bootstrap and `.ts` entry from source, the `.js` entry when compiled (thread-script.ts). */
const { script, entry } = threadScript('whisper-thread-entry');

type WhisperEvent = Extract<WhisperReply, { type: 'progress' }>;

export class WhisperThread implements SpeechModel {
  private constructor(
    readonly modelId: string,
    readonly dtype: string,
    private readonly thread: ModelThread<WhisperEvent>,
  ) {}

  /** Starts the thread and resolves once the model is loaded (rejects with the load error otherwise). */
  static async start(options: WhisperThreadOptions, onExit: (reason: Error) => void = () => undefined): Promise<WhisperThread> {
    // transformers.js is only needed when its tokenizer is asked for (the `transformers` text lever, whisper-runtime.ts).
    const preload = options.options?.levers?.text === 'transformers' ? ['@huggingface/transformers'] : [];
    const data: WhisperThreadData = { entry, preload, ...options };
    // A small young generation: V8 grows it to 16 MB semi-spaces (32 MB resident) while the
    // features and VAD allocate, and with the decoder's garbage collected per step nothing
    // shrinks it again before the decode's peak (whisper-runtime-levers.ts, bench/README.md).
    const youngMb = options.options?.levers?.threadYoungGenerationMb ?? DEFAULT_RUNTIME_LEVERS.threadYoungGenerationMb;
    const resourceLimits = youngMb > 0 ? { maxYoungGenerationSizeMb: youngMb } : undefined;
    const thread = await ModelThread.start<WhisperEvent>('Whisper', script, { workerData: data, execArgv: [...process.execArgv], resourceLimits }, onExit);
    return new WhisperThread(options.modelId, options.dtype, thread);
  }

  detectLanguage(audio: SpeechAudio): Promise<LanguageDetection> {
    // Detection looks for speech in the first minutes only; no need to copy hours of audio for it.
    const head = audio instanceof Float32Array ? audio.subarray(0, LANGUAGE_SCAN_SAMPLES) : audio;
    const id = this.thread.nextId();
    return this.send<LanguageDetection>({ id, op: 'detect', audio: head });
  }

  async transcribe(audio: SpeechAudio, options: TranscribeOptions): Promise<Segment[]> {
    return this.transcription<Segment[]>('transcribe', audio, options);
  }

  async transcribeWords(audio: SpeechAudio, options: TranscribeOptions): Promise<TimedToken[]> {
    return this.transcription<TimedToken[]>('words', audio, options);
  }

  async dispose(): Promise<void> {
    await this.thread.dispose();
  }

  private transcription<T>(op: 'transcribe' | 'words', audio: SpeechAudio, options: TranscribeOptions): Promise<T> {
    getLanguage(options.language); // UNKNOWN_LANGUAGE here, as with the in-process model
    const task = options.task ?? 'transcribe';
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AppError('CANCELED', 'The transcription was canceled'));
    const id = this.thread.nextId();
    // The thread stops the call before its next batch of windows and answers CANCELED.
    const cancel = () => this.thread.post({ id, op: 'cancel' } satisfies WhisperRequest);
    signal?.addEventListener('abort', cancel, { once: true });
    const request = { id, op, audio, language: options.language, task, progress: Boolean(options.onProgress), withTokens: options.withTokens, prompt: options.prompt, temperature: options.temperature };
    return this.send<T>(request, options.onProgress).finally(() => signal?.removeEventListener('abort', cancel));
  }

  private send<T>(request: Exclude<WhisperRequest, { op: 'cancel' }>, onProgress?: (percent: number) => void): Promise<T> {
    // Samples in memory: a copy moves to the thread (transferred, not cloned twice) and the caller
    // keeps its own. A WAV path costs nothing: the thread reads the file window by window.
    const transfer: ArrayBuffer[] = [];
    if (request.audio instanceof Float32Array) {
      request.audio = request.audio.slice();
      transfer.push(request.audio.buffer as ArrayBuffer);
    }
    return this.thread.call<T>(request.id, request, { transfer, onEvent: (event) => onProgress?.(event.percent) });
  }
}

/**
 * The worker's Whisper models: WHISPER_MODEL, and any other installed one a transcription-only
 * job names (its `whisperModel`), each in a thread of its own, started on first use and shared
 * by the transcribe stage and the whisper translation engine. At most `maxLoaded` are kept
 * (each holds its weights, hundreds of MB): before another is loaded, and after a call ends, the
 * least recently used idle one other than WHISPER_MODEL is unloaded. A call holds its model
 * from the moment it is made, so a model is never unloaded under a call. If a thread dies (an
 * uncaught error, out of memory), the calls in flight fail (and are retried by BullMQ) and the
 * next call starts a fresh thread.
 */
export function createThreadedWhisper(options: WhisperThreadOptions & { maxLoaded?: number }, logger: Logger) {
  /** `unloaded`: disposed on purpose, so its thread's exit is no error. */
  type Loaded = { thread?: Promise<WhisperThread>; users: number; lastUsed: number; unloaded?: boolean };
  const loaded = new Map<string, Loaded>();
  const maxLoaded = options.maxLoaded ?? 2;
  let closed = false;

  const unloadIdle = (limit: number) => {
    const idle = [...loaded.entries()].filter(([modelId, entry]) => modelId !== options.modelId && entry.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    while (loaded.size > limit && idle.length > 0) {
      const [modelId, entry] = idle.shift()!;
      loaded.delete(modelId);
      entry.unloaded = true;
      logger.info('unloading an idle whisper model', { modelId });
      void entry.thread?.then((thread) => thread.dispose()).catch(() => undefined);
    }
  };

  /** The model's entry, its thread started if needed, held (users + 1) until `release`. */
  const hold = (modelId: string, onDownload?: DownloadListener): Loaded => {
    if (closed) throw new AppError('INTERNAL', 'The worker is shutting down');
    let entry = loaded.get(modelId);
    if (!entry) {
      unloadIdle(maxLoaded - 1);
      entry = { users: 0, lastUsed: 0 };
      loaded.set(modelId, entry);
    }
    entry.users++;
    entry.lastUsed = Date.now();
    if (!entry.thread) {
      const held = entry;
      // Missing files download here, on the main thread: it is network and disk I/O, not CPU,
      // and progress reaches the caller (a job's progress) without crossing the thread.
      const download = ensureSpeechModels(modelId, { dtype: options.dtype, vad: options.options.vad, settings: options.models, onProgress: onDownload });
      if (modelId !== options.modelId) logger.info('loading another whisper model', { modelId });
      const starting = download.then(() =>
        WhisperThread.start({ ...options, modelId }, (reason) => {
          if (held.thread === starting) held.thread = undefined;
          if (!closed && !held.unloaded) logger.error('whisper thread exited', { modelId, error: reason.message });
        }),
      );
      held.thread = starting;
      starting.catch(() => {
        if (held.thread === starting) held.thread = undefined;
      });
    }
    return entry;
  };
  const release = (entry: Loaded) => {
    entry.users--;
    entry.lastUsed = Date.now();
    unloadIdle(maxLoaded);
  };
  const use = async <T>(modelId: string, call: (thread: WhisperThread) => Promise<T>, onDownload?: DownloadListener): Promise<T> => {
    const entry = hold(modelId, onDownload);
    try {
      return await call(await entry.thread!);
    } finally {
      release(entry);
    }
  };

  /** One model's calls, each made on its current thread (started again if it was unloaded). */
  const speechModel = (modelId: string, thread: WhisperThread): SpeechModel => ({
    modelId,
    dtype: thread.dtype,
    detectLanguage: (audio) => use(modelId, (current) => current.detectLanguage(audio)),
    transcribe: (audio, transcribeOptions) => use(modelId, (current) => current.transcribe(audio, transcribeOptions)),
    transcribeWords: (audio, transcribeOptions) => use(modelId, (current) => current.transcribeWords(audio, transcribeOptions)),
    // Shared by every job: the threads end with close().
    dispose: async () => undefined,
  });

  /** `modelId`'s model (WHISPER_MODEL by default), loaded before it resolves. */
  const model = async (onDownload?: DownloadListener, modelId: string = options.modelId): Promise<SpeechModel> =>
    use(modelId, async (thread) => speechModel(modelId, thread), onDownload);

  return {
    model,
    async close(): Promise<void> {
      closed = true;
      const running = [...loaded.values()];
      loaded.clear();
      await Promise.all(running.map((entry) => entry.thread?.then((thread) => thread.dispose()).catch(() => undefined)));
    },
  };
}

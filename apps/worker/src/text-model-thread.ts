import { AppError } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';
import type { ModelSettings, TextModelRequest, TextModelRunner } from '@babelfish/ml';
import type { TextModelThreadAbort, TextModelThreadData, TextModelThreadReply, TextModelThreadRequest } from './text-model-thread-protocol';
import { ModelThread } from './model-thread';
import { threadScript } from './thread-script';

/**
 * NLLB and Marian in a worker_thread, for the same reason as Whisper (whisper-thread.ts):
 * onnxruntime-node runs each decoder step synchronously on the calling thread, and a
 * translation is one step per output token per batch, so on the main thread a long
 * translation would starve BullMQ's lock renewal and stalled-job checks. The thread loads each
 * pipeline once and keeps it; there is one thread per worker process, started on first use
 * (a transcribe- or mux-only worker never starts it), and a fresh one after it dies.
 */

/** The bootstrap and `.ts` entry from source, the `.js` entry when compiled (thread-script.ts). */
const { script, entry } = threadScript('text-model-thread-entry');

const canceled = () => new AppError('CANCELED', 'The translation was canceled');

type TextModelEvent = Extract<TextModelThreadReply, { type: 'progress' | 'download' }>;

class TextModelThread {
  private constructor(private readonly thread: ModelThread<TextModelEvent>) {}

  get threadId(): number {
    return this.thread.threadId;
  }

  /** Starts the thread and resolves once it listens for requests. */
  static async start(models: ModelSettings, onExit: (reason: Error) => void): Promise<TextModelThread> {
    // NLLB and Marian run through transformers.js' pipeline.
    const data: TextModelThreadData = { entry, preload: ['@huggingface/transformers'], models };
    return new TextModelThread(await ModelThread.start<TextModelEvent>('text-model', script, { workerData: data, execArgv: [...process.execArgv] }, onExit));
  }

  translate(request: TextModelRequest): Promise<string[]> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(canceled());
    const id = this.thread.nextId();
    const message: TextModelThreadRequest = {
      type: 'translate',
      id,
      modelId: request.modelId,
      texts: request.texts,
      options: request.options,
      progress: Boolean(request.onProgress),
      download: Boolean(request.onDownload),
    };
    // Canceled: the caller is answered at once; the thread finishes the batch it is in
    // (one ONNX run cannot be interrupted) and starts no other of this request.
    let rejectCanceled: (error: Error) => void = () => undefined;
    const answeredEarly = new Promise<never>((_, reject) => (rejectCanceled = reject));
    const onAbort = () => {
      if (!this.thread.forget(id)) return;
      this.thread.post({ type: 'abort', id } satisfies TextModelThreadAbort);
      rejectCanceled(canceled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onEvent = (event: TextModelEvent) => {
      if (event.type === 'progress') request.onProgress?.(event.percent);
      else request.onDownload?.(event.progress);
    };
    const result = this.thread.call<string[]>(id, message, { onEvent });
    return Promise.race([result, answeredEarly]).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  async dispose(): Promise<void> {
    await this.thread.dispose();
  }
}

/**
 * The worker's text-model runner: what the NLLB and Marian engines call instead of running
 * the model on this thread. If the thread dies (out of memory, a native crash), the calls in
 * flight fail (BullMQ retries them) and the next call starts a fresh thread.
 */
export function createThreadedTextModels(models: ModelSettings, logger: Logger): { run: TextModelRunner; close: () => Promise<void> } {
  let current: Promise<TextModelThread> | undefined;
  let closed = false;

  const thread = (): Promise<TextModelThread> => {
    if (closed) return Promise.reject(new AppError('INTERNAL', 'The worker is shutting down'));
    if (!current) {
      const starting = TextModelThread.start(models, (reason) => {
        if (current === starting) current = undefined;
        if (!closed) logger.error('text model thread exited', { error: reason.message });
      });
      current = starting;
      starting.then(
        (started) => logger.info('text model thread started', { threadId: started.threadId }),
        () => {
          if (current === starting) current = undefined;
        },
      );
    }
    return current;
  };

  return {
    run: async (request) => (await thread()).translate(request),
    async close(): Promise<void> {
      closed = true;
      const running = current;
      current = undefined;
      await running?.then((started) => started.dispose()).catch(() => undefined);
    },
  };
}

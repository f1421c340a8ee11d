import { Worker } from 'node:worker_threads';
import { AppError } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';
import type { ModelSettings, TextModelRequest, TextModelRunner } from '@babelfish/ml';
import type { TextModelThreadAbort, TextModelThreadData, TextModelThreadReply, TextModelThreadRequest } from './text-model-thread-protocol';
import { threadScript } from './thread-script';
import { deserializeError } from './whisper-thread-protocol';

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

type Pending = { resolve: (texts: string[]) => void; reject: (error: Error) => void; onProgress?: (percent: number) => void; onDownload?: TextModelRequest['onDownload'] };

class TextModelThread {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitReason: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    onExit: (reason: Error) => void,
  ) {
    worker.on('message', (reply: TextModelThreadReply) => this.onReply(reply));
    worker.on('error', (error) => {
      this.exitReason ??= new AppError('INTERNAL', `The text-model thread failed: ${error.message}`);
    });
    worker.once('exit', (code) => {
      const reason = this.exitReason ?? new AppError('INTERNAL', `The text-model thread exited (code ${code})`);
      this.exitReason = reason;
      for (const call of this.pending.values()) call.reject(reason);
      this.pending.clear();
      onExit(reason);
    });
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** Starts the thread and resolves once it listens for requests. */
  static async start(models: ModelSettings, onExit: (reason: Error) => void): Promise<TextModelThread> {
    // NLLB and Marian run through transformers.js' pipeline.
    const data: TextModelThreadData = { entry, preload: ['@huggingface/transformers'], models };
    const worker = new Worker(script, { workerData: data, execArgv: [...process.execArgv] });
    try {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onEarlyExit);
          if (error) reject(error);
          else resolve();
        };
        const onMessage = (reply: TextModelThreadReply) => {
          if (reply.type === 'ready') settle();
        };
        const onError = (error: Error) => settle(new AppError('INTERNAL', `The text-model thread failed to start: ${error.message}`));
        const onEarlyExit = (code: number) => settle(new AppError('INTERNAL', `The text-model thread exited (code ${code}) while starting`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onEarlyExit);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new TextModelThread(worker, onExit);
  }

  translate(request: TextModelRequest): Promise<string[]> {
    if (this.exitReason) return Promise.reject(this.exitReason);
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(canceled());
    const id = this.nextId++;
    const message: TextModelThreadRequest = {
      type: 'translate',
      id,
      modelId: request.modelId,
      texts: request.texts,
      options: request.options,
      progress: Boolean(request.onProgress),
      download: Boolean(request.onDownload),
    };
    return new Promise<string[]>((resolve, reject) => {
      // Canceled: the caller is answered at once; the thread finishes the batch it is in
      // (one ONNX run cannot be interrupted) and starts no other of this request.
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        this.worker.postMessage({ type: 'abort', id } satisfies TextModelThreadAbort);
        reject(canceled());
      };
      const settle = <A extends unknown[]>(done: (...args: A) => void) => (...args: A) => {
        signal?.removeEventListener('abort', onAbort);
        done(...args);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject), onProgress: request.onProgress, onDownload: request.onDownload });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage(message);
    });
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private onReply(reply: TextModelThreadReply): void {
    if (reply.type === 'ready') return;
    const call = this.pending.get(reply.id);
    if (!call) return;
    if (reply.type === 'progress') {
      call.onProgress?.(reply.percent);
      return;
    }
    if (reply.type === 'download') {
      call.onDownload?.(reply.progress);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'result') call.resolve(reply.texts);
    else call.reject(deserializeError(reply.error)); // AppError codes survive: MODEL_UNAVAILABLE, TRANSLATION_FAILED
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

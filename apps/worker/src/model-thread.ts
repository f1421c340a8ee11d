import { Worker, type WorkerOptions } from 'node:worker_threads';
import { AppError } from '@babelfish/core';
import { deserializeError, type SerializedError } from './whisper-thread-protocol';

/**
 * The main thread's end of a model thread (Whisper: whisper-thread.ts; NLLB and Marian:
 * text-model-thread.ts). Both run onnxruntime off the event loop that renews BullMQ locks, and
 * both speak the same envelope: the thread says `ready` (or `load-failed`) once, then answers
 * each numbered call with events (progress, download) and one `result` or `error`. This class
 * owns that envelope: the start handshake, call numbering, routing replies to their calls, and
 * failing every call in flight with the reason when the thread dies.
 */

/** What any model thread sends. `Event`: its own per-call messages (progress, download). */
export type ModelThreadReply<Event extends { type: string; id: number }> =
  | { type: 'ready' }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | Event;

type Pending<Event> = { resolve: (value: unknown) => void; reject: (error: Error) => void; onEvent?: (event: Event) => void };

export class ModelThread<Event extends { type: string; id: number }> {
  private lastId = 0;
  private readonly pending = new Map<number, Pending<Event>>();
  private exitReason: Error | undefined;

  private constructor(
    /** Names the thread in errors: "The Whisper thread exited (code 1)". */
    private readonly label: string,
    private readonly worker: Worker,
    onExit: (reason: Error) => void,
  ) {
    worker.on('message', (reply: ModelThreadReply<Event>) => this.onReply(reply));
    worker.on('error', (error) => {
      this.exitReason ??= new AppError('INTERNAL', `The ${label} thread failed: ${error.message}`);
    });
    worker.once('exit', (code) => {
      const reason = this.exitReason ?? new AppError('INTERNAL', `The ${label} thread exited (code ${code})`);
      this.exitReason = reason;
      for (const call of this.pending.values()) call.reject(reason);
      this.pending.clear();
      onExit(reason);
    });
  }

  /**
   * Starts the thread and resolves once it says `ready`; rejects with its load error (the
   * thread's own, AppError code kept) or with why it died while starting, and ends it.
   */
  static async start<Event extends { type: string; id: number }>(
    label: string,
    script: URL,
    options: WorkerOptions,
    onExit: (reason: Error) => void,
  ): Promise<ModelThread<Event>> {
    const worker = new Worker(script, options);
    try {
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onEarlyExit);
          if (error) reject(error);
          else resolve();
        };
        const onMessage = (reply: ModelThreadReply<Event>) => {
          if (reply.type === 'ready') settle();
          else if (reply.type === 'load-failed') settle(deserializeError((reply as { error: SerializedError }).error));
        };
        const onError = (error: Error) => settle(new AppError('INTERNAL', `The ${label} thread failed to start: ${error.message}`));
        const onEarlyExit = (code: number) => settle(new AppError('INTERNAL', `The ${label} thread exited (code ${code}) while starting`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onEarlyExit);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new ModelThread<Event>(label, worker, onExit);
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  /** The id the next call will carry (a cancel message names it). */
  nextId(): number {
    return ++this.lastId;
  }

  /**
   * Sends the call `message` (carrying an id from nextId) and resolves with its result.
   * `transfer`: buffers moved to the thread, not copied. `onEvent`: the call's other replies.
   */
  call<T>(id: number, message: unknown, options: { transfer?: ArrayBuffer[]; onEvent?: (event: Event) => void } = {}): Promise<T> {
    if (this.exitReason) return Promise.reject(this.exitReason);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, onEvent: options.onEvent });
      this.worker.postMessage(message, options.transfer);
    });
  }

  /** A message that is not a call (a cancel); nothing answers it. */
  post(message: unknown): void {
    this.worker.postMessage(message);
  }

  /** Forgets call `id` (its caller was answered already, a cancel): a later reply is dropped. */
  forget(id: number): boolean {
    return this.pending.delete(id);
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private onReply(reply: ModelThreadReply<Event>): void {
    if (reply.type === 'ready' || reply.type === 'load-failed') return;
    const { id } = reply as { id: number };
    const call = this.pending.get(id);
    if (!call) return;
    if (reply.type === 'result' || reply.type === 'error') {
      this.pending.delete(id);
      const ended = reply as { type: 'result'; value: unknown } | { type: 'error'; error: SerializedError };
      // AppError codes survive the thread boundary: MODEL_UNAVAILABLE, CANCELED, TRANSLATION_FAILED.
      if (ended.type === 'result') call.resolve(ended.value);
      else call.reject(deserializeError(ended.error));
      return;
    }
    call.onEvent?.(reply as Event);
  }
}

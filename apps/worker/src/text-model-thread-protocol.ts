import type { DownloadProgress, ModelSettings, TextModelOptions } from '@babelfish/ml';
import type { SerializedError } from './whisper-thread-protocol';

/** Messages between the worker's main thread and its text-model (NLLB, Marian) thread. */

export type TextModelThreadData = {
  /** The module the bootstrap imports in the thread (text-model-thread-entry, .ts or .js). */
  entry: string;
  /** Packages the bootstrap imports before tsx (whisper-thread-bootstrap.mjs says why). */
  preload?: string[];
  models: ModelSettings;
};

export type TextModelThreadRequest = { type: 'translate'; id: number; modelId: string; texts: string[]; options: TextModelOptions; progress: boolean; download: boolean };

/** The job of request `id` was canceled: the thread starts no further batch of it (or none at all, still queued). */
export type TextModelThreadAbort = { type: 'abort'; id: number };

export type TextModelThreadMessage = TextModelThreadRequest | TextModelThreadAbort;

export type TextModelThreadReply =
  | { type: 'ready' }
  | { type: 'progress'; id: number; percent: number }
  | { type: 'download'; id: number; progress: DownloadProgress }
  | { type: 'result'; id: number; value: string[] }
  | { type: 'error'; id: number; error: SerializedError };

import { AppError, type ErrorCode, type Segment } from '@babelfish/core';
import type { LanguageDetection, ModelSettings, SpeechAudio, TimedToken, WhisperOptions, WhisperTask } from '@babelfish/ml';

/** Messages between the worker's main thread and its Whisper thread (structured-cloned). */

export type WhisperThreadData = {
  /** The module the bootstrap imports in the thread (whisper-thread-entry, .ts or .js). */
  entry: string;
  /** Packages the bootstrap imports before tsx (whisper-thread-bootstrap.mjs says why). */
  preload?: string[];
  modelId: string;
  dtype: string;
  models: ModelSettings;
  options: WhisperOptions;
};

/** `audio` is samples (transferred) or the path of a WAV the thread reads window by window. */
export type WhisperRequest =
  | { id: number; op: 'detect'; audio: SpeechAudio }
  | { id: number; op: 'transcribe' | 'words'; audio: SpeechAudio; language: string; task: WhisperTask; progress: boolean; withTokens?: boolean; prompt?: string; temperature?: number }
  /** Calls off request `id`: it stops before its next batch of windows and fails with CANCELED. */
  | { id: number; op: 'cancel' };

export type WhisperReply =
  | { type: 'ready' }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'progress'; id: number; percent: number }
  | { type: 'result'; id: number; value: LanguageDetection | Segment[] | TimedToken[] }
  | { type: 'error'; id: number; error: SerializedError };

export type SerializedError = { name: string; message: string; code?: ErrorCode; details?: Record<string, unknown> };

/** Keeps what callers branch on (AppError code → permanent or not; the message for the job row). */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof AppError) {
    let details: Record<string, unknown> | undefined;
    try {
      details = error.details ? structuredClone(error.details) : undefined;
    } catch {
      details = undefined; // not cloneable: the code and message are what matter
    }
    return { name: error.name, message: error.message, code: error.code, details };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  if (error.code) return new AppError(error.code, error.message, error.details);
  const revived = new Error(error.message);
  revived.name = error.name;
  return revived;
}

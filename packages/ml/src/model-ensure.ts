import { AppError } from '@babelfish/core';
import { downloadModel, type DownloadListener } from './model-download';
import { assertModelAvailable, modelSettings, type ModelSettings } from './model-env';
import { hasAllFiles, modelFiles, VAD_MODEL_ID } from './model-files';

/**
 * "Make sure the files are on disk" before a model loads: nothing to do when the models folder
 * or the cache has them all; a download into the cache when remote models are allowed; the
 * usual MODEL_UNAVAILABLE otherwise. Concurrent callers for the same model share one download
 * (every caller's listener hears its progress), so two stages never fetch the same files twice.
 */

export type EnsureResult = 'present' | 'downloaded';

const inFlight = new Map<string, { done: Promise<EnsureResult>; listeners: Set<DownloadListener> }>();

export async function ensureModelFiles(
  modelId: string,
  options: { dtype?: string; onProgress?: DownloadListener; settings?: ModelSettings } = {},
): Promise<EnsureResult> {
  const settings = options.settings ?? modelSettings();
  const files = modelFiles(modelId, options.dtype);
  if (hasAllFiles(settings.modelsDir, modelId, files) || hasAllFiles(settings.cacheDir, modelId, files)) return 'present';
  if (!settings.allowRemote) {
    assertModelAvailable(modelId, settings); // throws when neither folder has it
    return 'present'; // partly there: the loader names the missing file
  }
  if (!settings.cacheDir) throw new AppError('MODEL_UNAVAILABLE', `Model ${modelId} is not installed and no model cache folder is configured`);

  const key = JSON.stringify([settings.cacheDir, modelId, options.dtype ?? 'q8']);
  let running = inFlight.get(key);
  if (!running) {
    const listeners = new Set<DownloadListener>();
    const done = downloadModel(modelId, {
      hubUrl: settings.hubUrl,
      cacheDir: settings.cacheDir,
      files,
      onProgress: (progress) => listeners.forEach((listener) => listener(progress)),
    })
      .then((): EnsureResult => 'downloaded')
      .finally(() => inFlight.delete(key));
    running = { done, listeners };
    inFlight.set(key, running);
  }
  const listener = options.onProgress;
  if (listener) running.listeners.add(listener);
  try {
    return await running.done;
  } finally {
    if (listener) running.listeners.delete(listener);
  }
}

/**
 * Whisper and the Silero VAD it finds speech with. The VAD is optional (transcription falls back
 * to loudness-cut windows, as when its file is simply not installed): a hub that does not host it
 * (404) is no error. An unreachable hub is, since the Whisper files come from the same place.
 */
export async function ensureSpeechModels(
  modelId: string,
  options: { dtype?: string; vad?: boolean; onProgress?: DownloadListener; settings?: ModelSettings } = {},
): Promise<void> {
  await ensureModelFiles(modelId, options);
  const settings = options.settings ?? modelSettings();
  if (options.vad === false || !settings.allowRemote) return;
  try {
    await ensureModelFiles(VAD_MODEL_ID, { ...options, dtype: undefined });
  } catch (error) {
    if (!(error instanceof AppError && error.details?.missing)) throw error;
  }
}

import { hasAllFiles, listModels, modelFiles } from './model-files';
import type { ModelSettings } from './model-env';

/**
 * The Whisper models a worker can load without a download: every model in the models folder or
 * the download cache whose id names Whisper and that has each file the loader reads at `dtype`.
 * The OpenAI-compatible API lists these (GET /v1/models) and lets a request name one of them.
 */
export function installedWhisperModels(settings: Pick<ModelSettings, 'modelsDir' | 'cacheDir'>, dtype: string): string[] {
  const found = new Set<string>();
  for (const dir of [settings.modelsDir, settings.cacheDir]) {
    if (!dir) continue;
    for (const { modelId } of listModels(dir)) {
      if (/whisper/i.test(modelId) && hasAllFiles(dir, modelId, modelFiles(modelId, dtype))) found.add(modelId);
    }
  }
  return [...found].sort();
}

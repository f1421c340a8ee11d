import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { modelSettings, type ModelSettings } from './model-env';
import { VAD_FILE, VAD_MODEL_ID } from './model-files';
import type { SileroVad } from './vad';

/**
 * The VAD as the rest of the code reaches it: vad.ts imports onnxruntime-node, so it is loaded
 * only when a VAD is actually wanted (getVad), and finding its file costs nothing. A process that
 * never transcribes (the API, a mux-only worker) never loads onnxruntime through here.
 */

export type { SileroVad };

export const VAD_MODEL_PATH = `${VAD_MODEL_ID}/${VAD_FILE}`;

/** The Silero file in the models folder or the cache, or undefined when neither has it (as vad.ts' findVadModel). */
export function findVadModel(settings: ModelSettings = modelSettings()): string | undefined {
  return [settings.modelsDir, settings.cacheDir].filter(Boolean).map((dir) => join(dir, VAD_MODEL_PATH)).find((file) => existsSync(file));
}

/** The process's VAD for this file, loaded on first use (vad.ts' getVad). */
export async function getVad(file: string): Promise<SileroVad> {
  const { getVad: load } = await import('./vad');
  return load(file);
}

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';
import type { ExecutionDevice, InferenceDevices, InferenceRole } from './inference-device';

/**
 * Where transformers.js finds model files. Tests and air-gapped installs point `modelsDir` at a
 * folder in the transformers.js layout (`<org>/<model>/config.json`, `onnx/*.onnx`) and switch
 * remote loading off; deployments leave it on so missing models download from the Hugging Face
 * hub into `cacheDir` (which has the same layout, so a warm cache also works offline).
 */
export type ModelSettings = {
  modelsDir: string;
  cacheDir: string;
  allowRemote: boolean;
  /** Hub (or mirror) base URL that downloads come from; the Hugging Face hub when unset. */
  hubUrl?: string;
  /** Where each model family runs, resolved at start-up (inference-device.ts); the CPU when unset. */
  devices?: InferenceDevices;
};

export const DEFAULT_HUB_URL = 'https://huggingface.co';

let current: ModelSettings | undefined;

/**
 * Where models are found, for this process; call once at start-up, before loading any model.
 * Nothing is imported here: this module is read by processes that never run a model (the API,
 * a mux-only worker), and transformers.js costs 150–200 MB when loaded. The code that does load
 * it hands its `env` to applyTransformersEnv first.
 */
export function configureModels(settings: ModelSettings): void {
  current = { ...settings, hubUrl: settings.hubUrl ?? DEFAULT_HUB_URL };
}

/** transformers.js' defaults, used until configureModels is called. */
const UNCONFIGURED: ModelSettings = { modelsDir: '/models/', cacheDir: '', allowRemote: true, hubUrl: DEFAULT_HUB_URL };

/** The settings last given to configureModels, or transformers.js' defaults when never configured. */
export function modelSettings(): ModelSettings {
  return current ?? UNCONFIGURED;
}

/** The part of transformers.js' process-wide `env` that says where models come from. */
export type TransformersEnv = {
  localModelPath: string;
  cacheDir: string | null;
  allowRemoteModels: boolean;
  allowLocalModels: boolean;
  remoteHost: string;
  remotePathTemplate: string;
};

/** Points transformers.js (once imported) at this process's model settings. */
export function applyTransformersEnv(env: TransformersEnv, settings: ModelSettings = modelSettings()): void {
  env.localModelPath = withTrailingSlash(settings.modelsDir);
  if (settings.cacheDir) env.cacheDir = settings.cacheDir;
  env.allowRemoteModels = settings.allowRemote;
  env.allowLocalModels = true;
  // Models transformers.js fetches by itself (the text translation models) use the same host as
  // our own downloader (model-download.ts), so one setting points everything at a mirror.
  env.remoteHost = withTrailingSlash(settings.hubUrl ?? DEFAULT_HUB_URL);
  env.remotePathTemplate = '{model}/resolve/{revision}/';
}

/** The execution device configured for a model family (the CPU unless start-up resolved CUDA). */
export function deviceFor(role: InferenceRole): ExecutionDevice {
  return current?.devices?.[role] ?? 'cpu';
}

/** True when `dir/<modelId>` holds a config and at least one ONNX file, i.e. a loadable model. */
export function hasModelFiles(dir: string, modelId: string): boolean {
  if (!dir) return false;
  const root = join(dir, modelId);
  if (!existsSync(join(root, 'config.json'))) return false;
  try {
    return readdirSync(join(root, 'onnx')).some((file) => file.endsWith('.onnx'));
  } catch {
    return false;
  }
}

/** Whether loading `modelId` can succeed: files on disk (models dir or cache), or the hub allowed. */
export function isModelAvailable(modelId: string, settings: ModelSettings = modelSettings()): boolean {
  return settings.allowRemote || hasModelFiles(settings.modelsDir, modelId) || hasModelFiles(settings.cacheDir, modelId);
}

/** Throws MODEL_UNAVAILABLE naming the model and the folders searched, so operators know what to install where. */
export function assertModelAvailable(modelId: string, settings: ModelSettings = modelSettings()): void {
  if (isModelAvailable(modelId, settings)) return;
  const searched = [settings.modelsDir, settings.cacheDir].filter(Boolean).map((dir) => join(dir, modelId));
  throw new AppError(
    'MODEL_UNAVAILABLE',
    `Model ${modelId} is not installed (searched ${searched.join(' and ')}) and remote model downloads are disabled`,
    { modelId, searched },
  );
}

/** Wraps a model-loading failure so callers see one typed error whatever transformers.js threw. */
export function modelLoadError(modelId: string, cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AppError('MODEL_UNAVAILABLE', `Could not load model ${modelId}: ${reason}`, { modelId }, { cause });
}

function withTrailingSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

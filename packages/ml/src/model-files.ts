import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Which files a model needs on disk, and what a models folder holds. The downloader fetches
 * exactly these files because the Whisper encoder and Silero VAD are opened by path with
 * onnxruntime (lean-encoder.ts, vad.ts), not through transformers.js' own download: every file
 * has to be in the cache before loading starts. The lists are what the loaders read (checked by
 * logging a transformers.js load against a hub-like server: nothing else is requested).
 */

export type ModelFile = {
  /** Path inside the model's folder, as on the hub (`onnx/…` for ONNX exports). */
  path: string;
  /** A file the loader copes without; a 404 for it is not an error. */
  optional?: boolean;
};

/** File-name suffixes per dtype, as transformers.js names its ONNX exports. */
const suffixes: Record<string, string> = { fp32: '', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q8: '_quantized', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

/** `_quantized` for q8 and so on; undefined for a dtype transformers.js has no file name for. */
export function onnxSuffix(dtype: string): string | undefined {
  return suffixes[dtype];
}

/** Silero VAD: one ONNX file, opened by vad.ts. */
export const VAD_MODEL_ID = 'snakers4/silero-vad';
export const VAD_FILE = 'silero_vad.onnx';

/** The files `modelId` needs at `dtype` (Whisper, Silero VAD, or a seq2seq text model such as Marian/NLLB). */
export function modelFiles(modelId: string, dtype = 'q8'): ModelFile[] {
  if (modelId === VAD_MODEL_ID) return [{ path: VAD_FILE }];
  const suffix = onnxSuffix(dtype) ?? '_quantized';
  const onnx = [{ path: `onnx/encoder_model${suffix}.onnx` }, { path: `onnx/decoder_model_merged${suffix}.onnx` }];
  const configs = [{ path: 'config.json' }, { path: 'tokenizer.json' }, { path: 'tokenizer_config.json' }];
  if (/whisper/i.test(modelId)) {
    return [...configs, { path: 'generation_config.json' }, { path: 'preprocessor_config.json' }, ...onnx];
  }
  return [...configs, { path: 'generation_config.json', optional: true }, ...onnx];
}

/** True when `dir/<modelId>` holds every required file of `files`. */
export function hasAllFiles(dir: string, modelId: string, files: ModelFile[]): boolean {
  if (!dir) return false;
  return files.every((file) => file.optional || existsSync(join(dir, modelId, file.path)));
}

export type InstalledModel = { modelId: string; files: number; bytes: number };

/**
 * The models in a folder of the transformers.js layout (`<org>/<model>/…`), with their sizes.
 * Half-written downloads (`*.part`) are not counted.
 */
export function listModels(dir: string): InstalledModel[] {
  const models: InstalledModel[] = [];
  for (const org of subdirectories(dir)) {
    for (const name of subdirectories(join(dir, org))) {
      const root = join(dir, org, name);
      const files = walk(root).filter((file) => !file.endsWith('.part'));
      if (files.length === 0) continue;
      const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
      models.push({ modelId: relative(dir, root), files: files.length, bytes });
    }
  }
  return models.sort((a, b) => a.modelId.localeCompare(b.modelId));
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.isFile() ? [path] : [];
  });
}

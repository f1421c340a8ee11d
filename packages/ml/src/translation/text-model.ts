import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, isAppError, type Segment } from '@babelfish/core';
import type { DownloadListener } from '../model-download';
import { ensureModelFiles } from '../model-ensure';
import { throwIfCanceled } from './engine';
import { applyTransformersEnv, assertModelAvailable, deviceFor, hasModelFiles, modelLoadError, modelSettings } from '../model-env';

/**
 * Shared plumbing for the transformers.js text-to-text engines (NLLB, Marian). The engines
 * describe the work (model, texts, languages); a TextModelRunner does it: in this thread
 * (`translateTextsInProcess`, the CLI) or in the worker's text-model thread, where ONNX
 * inference cannot block the event loop that renews BullMQ locks. Either way one pipeline per
 * model id is loaded for the whole thread, and texts go to it in small batches (batching
 * amortises the per-call overhead; small batches keep padding waste and progress steps small).
 */

/** Generation options of the translation pipeline: NLLB's language codes; none for Marian. */
export type TextModelOptions = { src_lang?: string; tgt_lang?: string };

export type TextModelRequest = {
  modelId: string;
  /** Non-empty texts, one per line; the reply has one translation for each, in order. */
  texts: string[];
  options: TextModelOptions;
  onProgress?: (percent: number) => void;
  /** Hears the model's download when its files are not on disk yet (the job shows it as its `download` stage). */
  onDownload?: DownloadListener;
  /** The job was canceled: no further batch is started (CANCELED). */
  signal?: AbortSignal;
};

export type TextModelRunner = (request: TextModelRequest) => Promise<string[]>;

type TranslationOutput = Array<{ translation_text: string }>;
export type TranslationPipeline = (texts: string[], options?: Record<string, unknown>) => Promise<TranslationOutput>;

export const TEXT_MODEL_BATCH_SIZE = 8;
const DTYPE = 'q8';

const loaded = new Map<string, Promise<TranslationPipeline>>();

export function getTranslationPipeline(modelId: string): Promise<TranslationPipeline> {
  let model = loaded.get(modelId);
  if (!model) {
    model = load(modelId);
    loaded.set(modelId, model);
    model.catch(() => loaded.delete(modelId)); // a failed load may succeed once files are installed
  }
  return model;
}

/** The model ids this thread has loaded (or is loading): the worker checks none are on its main thread. */
export function loadedTextModels(): string[] {
  return [...loaded.keys()];
}

/** Releases every loaded pipeline (their ONNX sessions); the next call loads from disk again. */
export async function disposeTextModels(): Promise<void> {
  const models = [...loaded.values()];
  loaded.clear();
  await Promise.all(models.map((model) => model.then((translator) => (translator as unknown as { dispose?: () => Promise<unknown> }).dispose?.(), () => undefined)));
}

async function load(modelId: string): Promise<TranslationPipeline> {
  assertModelAvailable(modelId);
  try {
    const device = deviceFor('translate');
    // Imported here, not at the top: only a process that translates with NLLB or Marian pays for it.
    const { env, pipeline } = await import('@huggingface/transformers');
    applyTransformersEnv(env);
    const translator = await pipeline('translation', modelId, { dtype: textModelDtype(modelId, device), device });
    return translator as unknown as TranslationPipeline;
  } catch (error) {
    throw modelLoadError(modelId, error);
  }
}

/**
 * q8 on the CPU. On CUDA, fp16 when both of the model's fp16 files are on disk: onnxruntime has
 * no CUDA kernels for the q8 exports' integer matmuls and would run them on the CPU, copying
 * activations back and forth; fp16 keeps the whole graph on the GPU. transformers.js generates
 * with fp16 weights itself (its own cache tensors), so nothing else changes. Never downloads
 * the fp16 files on its own: a model installed as q8 stays q8.
 */
export function textModelDtype(modelId: string, device: 'cpu' | 'cuda'): 'q8' | 'fp16' {
  if (device !== 'cuda') return DTYPE;
  const settings = modelSettings();
  const hasFp16 = [settings.modelsDir, settings.cacheDir].some((dir) => hasFiles(dir, modelId, ['encoder_model_fp16.onnx', 'decoder_model_merged_fp16.onnx']));
  return hasFp16 ? 'fp16' : DTYPE;
}

function hasFiles(dir: string, modelId: string, files: string[]): boolean {
  return hasModelFiles(dir, modelId) && files.every((file) => existsSync(join(dir, modelId, 'onnx', file)));
}

/** Runs the model in this thread, batch by batch, reporting progress after each batch. */
export const translateTextsInProcess: TextModelRunner = async ({ modelId, texts, options, onProgress, onDownload, signal }) => {
  throwIfCanceled(signal);
  if (!loaded.has(modelId)) {
    // Our downloader first, into the cache transformers.js reads (the same files it would fetch),
    // so the download has progress to show; present files make this a no-op.
    await ensureModelFiles(modelId, { dtype: textModelDtype(modelId, deviceFor('translate')), onProgress: onDownload });
  }
  const translator = await getTranslationPipeline(modelId);
  const translated: string[] = [];
  for (let i = 0; i < texts.length; i += TEXT_MODEL_BATCH_SIZE) {
    // A batch in flight cannot be stopped (one synchronous ONNX run per token); the next is not started.
    throwIfCanceled(signal);
    const batch = texts.slice(i, i + TEXT_MODEL_BATCH_SIZE);
    const output = await runBatch(translator, modelId, batch, options);
    translated.push(...output.map((line) => line.translation_text.trim()));
    onProgress?.((100 * translated.length) / texts.length);
  }
  return translated;
};

async function runBatch(translator: TranslationPipeline, modelId: string, batch: string[], options: TextModelOptions): Promise<TranslationOutput> {
  let output: TranslationOutput;
  try {
    output = await translator(batch, options);
  } catch (error) {
    if (isAppError(error)) throw error;
    // transformers.js throws plain Errors (an unknown language code, an ONNX run failure).
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('TRANSLATION_FAILED', `${modelId} failed to translate: ${reason}`, { modelId }, { cause: error });
  }
  if (output.length !== batch.length) {
    throw new AppError('TRANSLATION_FAILED', `${modelId} returned ${output.length} translations for ${batch.length} lines`, { modelId });
  }
  return output;
}

/** Translates each segment's text, keeping its timing; empty segments are not sent to the model and stay empty. */
export async function translateSegmentTexts(
  run: TextModelRunner,
  modelId: string,
  segments: Segment[],
  options: TextModelOptions,
  onProgress?: (percent: number) => void,
  onDownload?: DownloadListener,
  signal?: AbortSignal,
): Promise<Segment[]> {
  const texts = segments.map((segment) => segment.text.replace(/\s+/g, ' ').trim());
  const todo = texts.flatMap((text, index) => (text ? [index] : []));
  onProgress?.(0);
  const output = todo.length > 0 ? await run({ modelId, texts: todo.map((index) => texts[index]!), options, onProgress, onDownload, signal }) : [];
  if (output.length !== todo.length) {
    throw new AppError('TRANSLATION_FAILED', `${modelId} returned ${output.length} translations for ${todo.length} lines`, { modelId });
  }
  const translated = texts.slice();
  todo.forEach((index, i) => {
    translated[index] = output[i]!;
  });
  onProgress?.(100);
  return segments.map((segment, index) => ({ start: segment.start, end: segment.end, text: translated[index] ?? '' }));
}

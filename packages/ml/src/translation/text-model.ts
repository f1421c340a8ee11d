import { pipeline } from '@huggingface/transformers';
import type { Segment } from '@babelfish/core';
import { assertModelAvailable, modelLoadError } from '../model-env';

/**
 * Shared plumbing for the transformers.js text-to-text engines (NLLB, Marian): one pipeline per
 * model id for the whole process, segment texts translated in small batches (batching amortises
 * the per-call overhead; small batches keep padding waste and progress steps reasonable).
 */

type TranslationOutput = Array<{ translation_text: string }>;
export type TranslationPipeline = (texts: string[], options?: Record<string, unknown>) => Promise<TranslationOutput>;

const BATCH_SIZE = 8;
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

async function load(modelId: string): Promise<TranslationPipeline> {
  assertModelAvailable(modelId);
  try {
    const translator = await pipeline('translation', modelId, { dtype: DTYPE, device: 'cpu' });
    return translator as unknown as TranslationPipeline;
  } catch (error) {
    throw modelLoadError(modelId, error);
  }
}

/** Translates each segment's text, keeping its timing; empty segments are not sent to the model. */
export async function translateSegmentTexts(
  translator: TranslationPipeline,
  segments: Segment[],
  options: Record<string, unknown>,
  onProgress?: (percent: number) => void,
): Promise<Segment[]> {
  const texts = segments.map((segment) => segment.text.replace(/\s+/g, ' ').trim());
  const todo = texts.flatMap((text, index) => (text ? [index] : []));
  const translated = texts.slice();
  onProgress?.(0);
  for (let i = 0; i < todo.length; i += BATCH_SIZE) {
    const batch = todo.slice(i, i + BATCH_SIZE);
    const output = await translator(
      batch.map((index) => texts[index] ?? ''),
      options,
    );
    batch.forEach((index, j) => {
      translated[index] = output[j]?.translation_text.trim() ?? '';
    });
    onProgress?.((100 * Math.min(i + BATCH_SIZE, todo.length)) / todo.length);
  }
  onProgress?.(100);
  return segments.map((segment, index) => ({ start: segment.start, end: segment.end, text: translated[index] ?? '' }));
}

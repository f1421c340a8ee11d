import { Tensor } from '@huggingface/transformers';
import { AppError, supportedLanguages } from '@babelfish/core';
import { SAMPLE_RATE } from './audio-windows';
import { tokenId, type WhisperParts } from './whisper-pipeline';

/**
 * Spoken-language identification with Whisper, which transformers.js does not provide (its
 * pipeline silently assumes English). Whisper predicts the language as the first token after
 * `<|startoftranscript|>`, so one encoder pass plus one decoder step over the first 30 s gives a
 * distribution over language tokens; we keep only the languages Babelfish knows.
 */

export type LanguageGuess = { language: string; probability: number };
export type LanguageDetection = LanguageGuess & { top: LanguageGuess[] };

const TOP_COUNT = 5;

export async function detectSpokenLanguage(parts: WhisperParts, audio: Float32Array): Promise<LanguageDetection> {
  if (audio.length === 0) throw new AppError('BAD_REQUEST', 'Cannot detect the language of empty audio');
  const start = tokenId(parts.tokenizer, '<|startoftranscript|>');
  if (start === undefined) throw new AppError('MODEL_UNAVAILABLE', 'This Whisper model has no <|startoftranscript|> token');

  const candidates = supportedLanguages.flatMap((language) => {
    const id = tokenId(parts.tokenizer, `<|${language.code}|>`);
    return id === undefined ? [] : [{ code: language.code, id }];
  });
  if (candidates.length === 0) {
    throw new AppError('MODEL_UNAVAILABLE', 'This Whisper model has no language tokens (English-only model?)');
  }

  // The processor pads or truncates to Whisper's 30 s context, which is what the encoder expects.
  const { input_features } = await parts.processor(audio.subarray(0, 30 * SAMPLE_RATE));
  const outputs = await parts.model.forward({
    input_features,
    decoder_input_ids: new Tensor('int64', BigInt64Array.from([BigInt(start)]), [1, 1]),
  });
  const logits = outputs.logits;
  if (!logits) throw new AppError('INTERNAL', 'Whisper decoder returned no logits');
  const vocab = logits.dims[logits.dims.length - 1] ?? 0;
  const data = logits.data as Float32Array;
  // Logits of the single decoder position; copy what we need before releasing the tensors.
  const scores = candidates.map((candidate) => data[data.length - vocab + candidate.id] ?? Number.NEGATIVE_INFINITY);
  disposeAll(outputs);

  const probabilities = softmax(scores);
  const ranked = candidates
    .map((candidate, i) => ({ language: candidate.code, probability: probabilities[i] ?? 0 }))
    .sort((a, b) => b.probability - a.probability);
  const best = ranked[0];
  if (!best) throw new AppError('INTERNAL', 'Language detection produced no result');
  return { language: best.language, probability: best.probability, top: ranked.slice(0, TOP_COUNT) };
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
}

/** The decoder also returns its key/value cache and attentions; free them now rather than at GC. */
function disposeAll(outputs: Record<string, Tensor>): void {
  for (const tensor of Object.values(outputs)) {
    (tensor as { dispose?: () => void }).dispose?.();
  }
}

import { Tensor } from 'onnxruntime-node';
import { AppError, supportedLanguages } from '@babelfish/core';
import { tokenId } from './whisper-pipeline';
import { firstStepEncoderFeeds } from './whisper-decoder';
import type { WhisperRuntime } from './whisper-runtime';

/**
 * Spoken-language identification with Whisper, which transformers.js does not provide (its
 * pipeline silently assumes English). Whisper predicts the language as the first token after
 * `<|startoftranscript|>`, so one encoder pass plus one decoder step over 30 s of speech gives a
 * distribution over language tokens (every one of them has a row in the core table).
 */

export type LanguageGuess = { language: string; probability: number };
export type LanguageDetection = LanguageGuess & { top: LanguageGuess[] };

const TOP_COUNT = 5;

/** `audio`: up to 30 s (more is ignored), ideally speech only (the caller picks it with the VAD). */
export async function detectSpokenLanguage(runtime: WhisperRuntime, audio: Float32Array): Promise<LanguageDetection> {
  if (audio.length === 0) throw new AppError('BAD_REQUEST', 'Cannot detect the language of empty audio');
  const { tokenizer } = runtime;
  // Each language token of this model (99 for whisper-base; large-v3 adds Cantonese).
  const candidates = supportedLanguages.flatMap((language) => {
    const id = language.whisperToken === undefined ? undefined : tokenId(tokenizer, `<|${language.whisperToken}|>`);
    return id === undefined ? [] : [{ code: language.code, id }];
  });
  if (candidates.length === 0) {
    throw new AppError('MODEL_UNAVAILABLE', 'This Whisper model has no language tokens (English-only model?)');
  }

  // The feature extractor pads or truncates to Whisper's 30 s context, which is what the encoder expects.
  const hidden = await runtime.encode([await runtime.features(audio)]);
  const { vocabulary } = runtime;
  const empty = new Tensor('float32', new Float32Array(0), [1, vocabulary.decoderHeads, 0, vocabulary.headSize]);
  const feeds: Record<string, Tensor> = {
    input_ids: new Tensor('int64', BigInt64Array.from([BigInt(vocabulary.startOfTranscript)]), [1, 1]),
    use_cache_branch: new Tensor('bool', [false], [1]),
    ...(await firstStepEncoderFeeds(runtime, hidden)),
  };
  for (let layer = 0; layer < vocabulary.decoderLayers; layer++) {
    for (const kind of ['key', 'value']) feeds[`past_key_values.${layer}.decoder.${kind}`] = empty;
  }
  const { logits } = await runtime.decoder.run(feeds, ['logits']);
  if (!logits) throw new AppError('INTERNAL', 'Whisper decoder returned no logits');
  const vocab = logits.dims[logits.dims.length - 1] ?? 0;
  const data = logits.data as Float32Array;
  // Logits of the single decoder position.
  const scores = candidates.map((candidate) => data[data.length - vocab + candidate.id] ?? Number.NEGATIVE_INFINITY);

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

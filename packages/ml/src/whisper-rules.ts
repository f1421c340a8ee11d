import type { WhisperVocabulary } from './whisper-runtime';

/**
 * Greedy next-token choice under Whisper's decoding rules, applied in place to one row of
 * logits: the model's suppressed tokens always, its begin-suppressed ones (blank, end-of-text)
 * first, and no timestamp tokens. Windows are decoded without timestamps, as faster-whisper's
 * batched VAD pipeline does: the windows already end at pauses, word times come from the
 * cross-attention (word-alignment.ts), and there are fewer tokens to decode (13% faster, WER no
 * worse on the benchmark talks: bench/README.md).
 */
export function nextToken(logits: Float32Array, generated: readonly number[], vocab: WhisperVocabulary): number {
  applyRules(logits, generated, vocab);
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const score = logits[i]!;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

export function applyRules(logits: Float32Array, generated: readonly number[], vocab: WhisperVocabulary): void {
  for (const id of vocab.suppress) logits[id] = Number.NEGATIVE_INFINITY;
  if (generated.length === 0) for (const id of vocab.beginSuppress) logits[id] = Number.NEGATIVE_INFINITY;
  // <|notimestamps|> and every timestamp after it.
  logits.fill(Number.NEGATIVE_INFINITY, vocab.noTimestamps);
}

import type { WhisperVocabulary } from './whisper-runtime';

/**
 * Greedy next-token choice under Whisper's decoding rules (as in openai/whisper's
 * ApplyTimestampRules and transformers.js' WhisperTimeStampLogitsProcessor), applied in place to
 * one row of logits. Written out here because our decoder loop runs several windows per step.
 */

/** First timestamp at most 1.0 s into the window (openai's default): windows start at speech. */
const MAX_INITIAL_TIMESTAMP_INDEX = 50;

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
  const { timestampBegin, endOfText } = vocab;
  for (const id of vocab.suppress) logits[id] = Number.NEGATIVE_INFINITY;
  logits[vocab.noTimestamps] = Number.NEGATIVE_INFINITY;

  if (generated.length === 0) {
    for (const id of vocab.beginSuppress) logits[id] = Number.NEGATIVE_INFINITY;
    // The first token is a timestamp, and an early one.
    logits.fill(Number.NEGATIVE_INFINITY, 0, timestampBegin);
    logits.fill(Number.NEGATIVE_INFINITY, timestampBegin + MAX_INITIAL_TIMESTAMP_INDEX + 1);
    return;
  }

  const last = generated[generated.length - 1]!;
  const penultimate = generated.length >= 2 ? generated[generated.length - 2]! : timestampBegin;
  const lastWasTimestamp = last >= timestampBegin;
  if (lastWasTimestamp) {
    // Timestamps come in pairs (end of one segment, start of the next), except just before the end.
    if (penultimate >= timestampBegin) logits.fill(Number.NEGATIVE_INFINITY, timestampBegin);
    else logits.fill(Number.NEGATIVE_INFINITY, 0, endOfText);
  }

  // Time never goes backwards: no timestamp before the last one (nor equal, once a pair closed).
  const lastTimestamp = lastTimestampIn(generated, timestampBegin);
  if (lastTimestamp !== undefined) {
    const floor = lastWasTimestamp && penultimate < timestampBegin ? lastTimestamp : lastTimestamp + 1;
    logits.fill(Number.NEGATIVE_INFINITY, timestampBegin, Math.min(floor, logits.length));
  }

  // When all timestamps together are likelier than any single text token, emit a timestamp.
  let maxText = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < timestampBegin; i++) if (logits[i]! > maxText) maxText = logits[i]!;
  let maxStamp = Number.NEGATIVE_INFINITY;
  for (let i = timestampBegin; i < logits.length; i++) if (logits[i]! > maxStamp) maxStamp = logits[i]!;
  if (maxStamp === Number.NEGATIVE_INFINITY) return;
  let sum = 0;
  for (let i = timestampBegin; i < logits.length; i++) sum += Math.exp(logits[i]! - maxStamp);
  if (maxStamp + Math.log(sum) > maxText) logits.fill(Number.NEGATIVE_INFINITY, 0, timestampBegin);
}

function lastTimestampIn(generated: readonly number[], timestampBegin: number): number | undefined {
  for (let i = generated.length - 1; i >= 0; i--) {
    if (generated[i]! >= timestampBegin) return generated[i];
  }
  return undefined;
}

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
  return greedyToken(logits).token;
}

/** A chosen token and its log-probability under the (rule-filtered, untempered) logits. */
export type TokenChoice = { token: number; logprob: number };

/**
 * Terms this far below the largest logit are left out of the softmax sum: even 51 865 of them
 * add under 1e-4 of it (e^-20 each).
 */
const NEGLIGIBLE = 20;
/**
 * The greedy path's log-probability runs on every token, so its softmax sum avoids an exp() per
 * logit: terms within EXACT nats of the top are summed exactly, the rest are counted in bins
 * 1/BINS nat wide and each bin adds count × the mean of e^-d over its width. The bins' error is
 * far below what the confidence check (mean log-probability < -1) can see: under 0.3 % of the
 * sum when the tail is flat, ~0 when the top token dominates.
 */
const EXACT = 2;
const BINS = 8;
const binCounts = new Float64Array(NEGLIGIBLE * BINS);
const binWeights = Float64Array.from({ length: NEGLIGIBLE * BINS }, (_, b) => (Math.exp(-b / BINS) - Math.exp(-(b + 1) / BINS)) * BINS);

/** Σ exp(logit − max) over the logits, by exact terms near the top and binned counts below. */
function binnedExpSum(logits: Float32Array, max: number): number {
  binCounts.fill(0);
  let exact = 0;
  for (let i = 0; i < logits.length; i++) {
    const d = max - logits[i]!;
    if (d < EXACT) exact += Math.exp(-d);
    else if (d < NEGLIGIBLE) binCounts[(d * BINS) | 0]!++;
  }
  let tail = 0;
  for (let b = EXACT * BINS; b < binCounts.length; b++) tail += binCounts[b]! * binWeights[b]!;
  return exact + tail;
}

/** The highest logit (temperature 0), with its log-softmax value. */
export function greedyToken(logits: Float32Array): TokenChoice {
  let best = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      best = i;
    }
  }
  return { token: best, logprob: -Math.log(binnedExpSum(logits, max)) };
}

/**
 * A token sampled from softmax(logits / temperature) with `random` (uniform in [0, 1)); its
 * log-probability is taken from the untempered logits, as openai/whisper's decoder does.
 */
export function sampleToken(logits: Float32Array, temperature: number, random: () => number): TokenChoice {
  if (temperature <= 0) return greedyToken(logits);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  const floor = max - NEGLIGIBLE * temperature;
  const target = random() * expSum(logits, max, temperature);
  let token = -1;
  let cumulative = 0;
  for (let i = 0; i < logits.length; i++) {
    if (!(logits[i]! > floor)) continue;
    token = i;
    cumulative += Math.exp((logits[i]! - max) / temperature);
    if (cumulative > target) break;
  }
  return { token, logprob: logits[token]! - max - Math.log(expSum(logits, max, 1)) };
}

/** Σ exp((logit − max) / temperature) over the logits that are not negligible. */
function expSum(logits: Float32Array, max: number, temperature: number): number {
  const floor = max - NEGLIGIBLE * temperature;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > floor) sum += Math.exp((logits[i]! - max) / temperature);
  }
  return sum;
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

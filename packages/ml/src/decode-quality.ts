import { deflateSync } from 'node:zlib';
import type { WhisperSafeguards } from '@babelfish/core';

/**
 * The checks openai/whisper's transcribe() runs on every decoded window, and what it does when
 * one fails: a window whose text compresses too well (a loop), whose tokens the model was unsure
 * of, or that repeats itself is decoded again by sampling at rising temperatures; a window the
 * model thinks holds no speech, and is unsure of, is silence and its text is dropped. Pure
 * functions of a window's tokens and statistics, so the policy is tested without a model.
 */

/** The thresholds and fallback settings (the type lives in core, so config can name it too). */
export type DecodeSafeguards = WhisperSafeguards;

export const DEFAULT_SAFEGUARDS: DecodeSafeguards = Object.freeze({
  compressionRatioThreshold: 2.4,
  logprobThreshold: -1,
  noSpeechThreshold: 0.6,
  temperatures: Object.freeze([0, 0.2, 0.4, 0.6, 0.8, 1]) as number[],
  maxWindowTokens: 224,
  seed: 0,
});

/** Per-window statistics (openai's verbose_json names: avg_logprob, compression_ratio, no_speech_prob, temperature). */
export type DecodeQuality = {
  avgLogprob: number;
  compressionRatio: number;
  noSpeechProb: number;
  temperature: number;
};

/** openai/whisper's measure: UTF-8 bytes over zlib-compressed bytes; a looping text scores high. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/** A unit of `unit` tokens starting at `start`, said `repeats` times in a row. */
export type Repetition = { start: number; unit: number; repeats: number };

export type RepetitionLimits = {
  /** Longest unit looked for, in tokens (a sentence). */
  maxUnit: number;
  /** At least this many copies in a row… */
  minRepeats: number;
  /** …covering at least this many tokens: "no, no, no" is speech, "5,5,5,5,5,5,5,5" a loop. */
  minTokens: number;
};

export const DEFAULT_REPETITION_LIMITS: RepetitionLimits = { maxUnit: 64, minRepeats: 3, minTokens: 16 };

/**
 * Runs of one token n-gram repeated back to back (the "5,5,5,5…" and "same sentence again"
 * loops), shortest unit first, left to right, runs not overlapping. `tokens` should be the text
 * tokens only: a sentence repeated in its own segments differs in its timestamps.
 */
export function findRepetitions(tokens: readonly number[], limits: RepetitionLimits = DEFAULT_REPETITION_LIMITS): Repetition[] {
  const runs: Repetition[] = [];
  let i = 0;
  while (i < tokens.length) {
    let found: Repetition | undefined;
    const maxUnit = Math.min(limits.maxUnit, Math.floor((tokens.length - i) / limits.minRepeats));
    for (let unit = 1; unit <= maxUnit && !found; unit++) {
      let repeats = 1;
      while (i + (repeats + 1) * unit <= tokens.length && sameSpan(tokens, i, i + repeats * unit, unit)) repeats++;
      if (repeats >= limits.minRepeats && repeats * unit >= limits.minTokens) found = { start: i, unit, repeats };
    }
    if (found) {
      runs.push(found);
      i += found.unit * found.repeats;
    } else {
      i++;
    }
  }
  return runs;
}

/**
 * Whether the tokens end in a loop (a unit repeated back to back up to the last token), the test
 * the decoder runs as it goes so that a looping window stops instead of running to its limit.
 */
export function endsInLoop(tokens: readonly number[], limits: RepetitionLimits = DEFAULT_REPETITION_LIMITS): boolean {
  const end = tokens.length;
  const maxUnit = Math.min(limits.maxUnit, Math.floor(end / limits.minRepeats));
  for (let unit = 1; unit <= maxUnit; unit++) {
    let repeats = 1;
    while (end - (repeats + 1) * unit >= 0 && sameSpan(tokens, end - (repeats + 1) * unit, end - unit, unit)) repeats++;
    if (repeats >= limits.minRepeats && repeats * unit >= limits.minTokens) return true;
  }
  return false;
}

function sameSpan(tokens: readonly number[], a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (tokens[a + k] !== tokens[b + k]) return false;
  return true;
}

/**
 * The text tokens of each Whisper segment of a window (the text between timestamp tokens), in
 * order; `firstSpecial` is the first id that is not text (end-of-text).
 */
export function segmentTexts(tokens: readonly number[], firstSpecial: number): number[][] {
  const segments: number[][] = [];
  let current: number[] = [];
  for (const token of tokens) {
    if (token < firstSpecial) {
      current.push(token);
    } else if (current.length > 0) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * The text whose compression ratio is checked: the window's text with each segment counted
 * once. openai/whisper compresses the whole window's text, which also fails a sentence that is
 * really said twice in 30 s (the benchmark's JFK talk: 2.48): every such window was then
 * re-sampled five times and came out worse. A segment said again in its own timestamps is audio,
 * not a decoding loop; loops within a segment still compress, and a segment repeated three times
 * or more is caught as a repetition (loopRuns).
 */
export function distinctSegmentTokens(segments: readonly number[][]): number[] {
  const seen = new Set<string>();
  const distinct: number[] = [];
  for (const segment of segments) {
    const key = segment.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(...segment);
  }
  return distinct;
}

/**
 * Every loop in a window, as runs over its text tokens: token n-grams repeated back to back
 * (findRepetitions), and whole segments repeated `minRepeats` times or more in a row however
 * short they are ("Thank you." in one segment after another).
 */
export function loopRuns(segments: readonly number[][], limits: RepetitionLimits = DEFAULT_REPETITION_LIMITS): Repetition[] {
  const runs = findRepetitions(segments.flat(), limits);
  const covered = (start: number, end: number) => runs.some((run) => start < run.start + run.unit * run.repeats && run.start < end);
  let at = 0;
  for (let i = 0; i < segments.length; ) {
    const unit = segments[i]!.length;
    const key = segments[i]!.join(',');
    let repeats = 1;
    while (segments[i + repeats]?.join(',') === key) repeats++;
    if (repeats >= limits.minRepeats && !covered(at, at + unit * repeats)) runs.push({ start: at, unit, repeats });
    at += unit * repeats;
    i += repeats;
  }
  return runs.sort((a, b) => a.start - b.start);
}

/** Indexes into `tokens` that survive collapsing every run to its first copy. */
export function collapseRepetitions(length: number, runs: readonly Repetition[]): number[] {
  const dropped = new Uint8Array(length);
  for (const run of runs) dropped.fill(1, run.start + run.unit, run.start + run.unit * run.repeats);
  const kept: number[] = [];
  for (let i = 0; i < length; i++) if (!dropped[i]) kept.push(i);
  return kept;
}

/** One decoded attempt at a window, as the policy sees it. */
export type Attempt = DecodeQuality & { repetitive: boolean };

export type Verdict = 'pass' | 'fallback' | 'silence';

/** openai/whisper's decision for one attempt (transcribe.py: needs_fallback, then should_skip). */
export function judgeAttempt(attempt: Attempt, safeguards: DecodeSafeguards): Verdict {
  const unsure = attempt.avgLogprob < safeguards.logprobThreshold;
  if (attempt.noSpeechProb > safeguards.noSpeechThreshold && unsure) return 'silence';
  if (unsure || attempt.repetitive || attempt.compressionRatio > safeguards.compressionRatioThreshold) return 'fallback';
  return 'pass';
}

/**
 * The attempt kept when every temperature failed: the most confident one (its loops are then
 * collapsed). openai keeps the last, hottest attempt, and faster-whisper the most confident of
 * those that do not loop; one sample per temperature (openai draws five) at 0.8 or 1.0 is most
 * often garbled text, which either would keep over a confident greedy decode.
 */
export function bestAttempt<T extends Attempt>(attempts: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const attempt of attempts) if (!best || attempt.avgLogprob > best.avgLogprob) best = attempt;
  return best;
}

export { seededRandom } from '@babelfish/core';

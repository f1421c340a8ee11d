import type { SubtitleRules } from '@babelfish/core';
import { breakTokens } from './line-break';
import { boundaryCost, lockedBoundaries, readingLength, type TimedToken } from './text';

/**
 * Cuts one sentence into cues. Every way of cutting is scored (dynamic programming over the
 * word boundaries) and the cheapest kept: each cue costs something, so cues are as full as the
 * rules allow, but a cut after punctuation, at a pause or before a conjunction pays back, a cut
 * inside a name costs far more than any other choice, and fragments too short to read alone
 * or too fast for their time are discouraged.
 */

export type DraftCue = {
  tokens: TimedToken[];
  lines: string[];
  /** Span of the speech the cue stands for; timing later stretches it to be readable. */
  start: number;
  end: number;
};

export type SegmentOptions = { joiner: string; keepTogether?: readonly string[] };

const CUE_COST = 1;
/** Fewer characters than this on a cue of its own reads as a stray fragment. */
const SHORT_CHARS = 12;
const PAUSE_BONUS_SECONDS = 0.5;

export function splitSentence(tokens: readonly TimedToken[], rules: SubtitleRules, options: SegmentOptions): DraftCue[] {
  const n = tokens.length;
  if (n === 0) return [];
  const words = tokens.map((token) => token.text);
  const locked = lockedBoundaries(words, options.keepTogether ?? []);
  const limits = { maxCharsPerLine: rules.maxCharsPerLine, maxLines: rules.maxLines, joiner: options.joiner, keepTogether: options.keepTogether, fullWidthUnits: rules.fullWidthUnits };
  const maxChars = rules.maxLines * (rules.maxCharsPerLine + 1);
  const sentenceChars = readingLength(words.join(options.joiner), rules.fullWidthUnits);

  const cutCost = (i: number) => {
    const before = tokens[i - 1]!;
    const after = tokens[i]!;
    const silence = Math.max(after.start - before.end, impliedPause(before));
    const pause = Math.min(1, Math.max(0, silence) / PAUSE_BONUS_SECONDS);
    return boundaryCost(before.text, after.text, locked[i] ?? false) - 0.5 * pause;
  };

  const best = new Array<number>(n + 1).fill(Infinity);
  const from = new Array<number>(n + 1).fill(-1);
  const layouts = new Array<string[] | undefined>(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = j - 1; i >= 0; i--) {
      const piece = words.slice(i, j);
      const chars = readingLength(piece.join(options.joiner), rules.fullWidthUnits);
      if (chars > maxChars && j - i > 1) break;
      const seconds = tokens[j - 1]!.end - tokens[i]!.start;
      if (seconds > rules.maxDurationSeconds && j - i > 1) break;
      if (best[i] === Infinity) continue;
      // A single word longer than a cue is kept whole on its own; QC reports it.
      const laidOut = breakTokens(piece, limits) ?? (j - i === 1 ? { lines: piece, cost: 0 } : undefined);
      if (!laidOut) continue;
      const cost = best[i]! + (i > 0 ? cutCost(i) : 0) + pieceCost(chars, seconds, laidOut.cost, sentenceChars, rules);
      if (cost < best[j]!) {
        best[j] = cost;
        from[j] = i;
        layouts[j] = laidOut.lines;
      }
    }
  }

  const cues: DraftCue[] = [];
  for (let j = n; j > 0; j = from[j]!) {
    const i = from[j]!;
    const piece = tokens.slice(i, j);
    cues.unshift({ tokens: piece, lines: layouts[j]!, start: piece[0]!.start, end: piece.at(-1)!.end });
  }
  return cues;
}

/**
 * Whisper folds a pause into the word before it ("Americans" lasting 1.6 s), so a word far
 * longer than its letters need is read as a word followed by a pause.
 */
function impliedPause(token: TimedToken): number {
  return Math.max(0, token.end - token.start - (0.15 + 0.08 * token.text.length));
}

function pieceCost(chars: number, seconds: number, lineCost: number, sentenceChars: number, rules: SubtitleRules): number {
  // Only a bad line layout counts against a cue; a good one must not make long cues cheaper
  // than cutting at the same natural point.
  let cost = CUE_COST + 0.3 * Math.min(Math.max(lineCost, 0), 3);
  // A third of a line at most: 12 of 42 characters, 4 of Japanese's 13.
  const short = Math.min(SHORT_CHARS, Math.round(rules.maxCharsPerLine / 3));
  if (chars < short && sentenceChars >= short) cost += 0.8;
  // Reading speed over the speech time (at least the minimum duration). Timing can lend a cue
  // some of the pause after it, so this only steers away from cues that are far too dense.
  const cps = chars / Math.max(seconds, rules.minDurationSeconds);
  if (cps > rules.maxCharsPerSecond) cost += 2 * (cps / rules.maxCharsPerSecond - 1);
  return cost;
}

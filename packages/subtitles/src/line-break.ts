import { boundaryCost, lockedBoundaries, tokenize, UNBREAKABLE, visibleLength } from './text';

export type LineLimits = {
  maxCharsPerLine: number;
  maxLines: number;
  /** ' ' between words, '' for unspaced scripts (Chinese, Japanese). */
  joiner?: string;
  /** Phrases never split across lines (glossary terms). Runs of capitalised words are kept together anyway. */
  keepTogether?: readonly string[];
  /** Chinese, Japanese and Korean: lengths in full-width characters (see SubtitleRules). */
  fullWidthUnits?: boolean;
};

export type BrokenLines = { lines: string[]; cost: number };

/**
 * Lays a cue's text out in as few lines as fit, each at most `maxCharsPerLine`, cutting where a
 * reader pauses: after punctuation, before a conjunction, never after an article or inside a
 * name. Among equal cuts, balanced lines win, a slightly longer bottom line over a longer top
 * one (the broadcast "pyramid"). Returns undefined when the text cannot fit in `maxLines`.
 */
export function breakLines(text: string, limits: LineLimits): BrokenLines | undefined {
  const joiner = limits.joiner ?? ' ';
  const tokens = tokenize(text, joiner);
  if (tokens.length === 0) return { lines: [], cost: 0 };
  return breakTokens(tokens, limits);
}

export function breakTokens(tokens: readonly string[], limits: LineLimits): BrokenLines | undefined {
  const joiner = limits.joiner ?? ' ';
  const whole = tokens.join(joiner);
  const length = (text: string) => visibleLength(text, limits.fullWidthUnits);
  if (length(whole) <= limits.maxCharsPerLine) return { lines: [whole], cost: 0 };

  const locked = lockedBoundaries(tokens, limits.keepTogether ?? []);
  const cut = (i: number) => boundaryCost(tokens[i - 1] ?? '', tokens[i] ?? '', locked[i] ?? false);
  // Prefix lengths: the length of tokens[i..j) is prefix[j] - prefix[i] - joiner, in O(1).
  const prefix = [0];
  const joinerLength = length(joiner);
  for (const token of tokens) prefix.push((prefix.at(-1) ?? 0) + length(token) + joinerLength);
  const span = (i: number, j: number) => (prefix[j] ?? 0) - (prefix[i] ?? 0) - joinerLength;

  let fallback: BrokenLines | undefined;
  for (let lineCount = 2; lineCount <= limits.maxLines; lineCount++) {
    const best = layout(tokens.length, lineCount, span, cut, limits.maxCharsPerLine);
    if (!best) continue;
    // trimEnd: an unspaced line may end on the space between two Latin words.
    const lines = best.starts.map((start, k) => tokens.slice(start, best.starts[k + 1] ?? tokens.length).join(joiner).trimEnd());
    const result = { lines, cost: best.cost };
    // A layout that splits a name is a last resort: one more line may keep it whole.
    if (best.cost < UNBREAKABLE / 2) return result;
    fallback ??= result;
  }
  return fallback;
}

type Layout = { starts: number[]; cost: number };

/** Cheapest way to cut n tokens into exactly `count` lines that each fit (dynamic programming). */
function layout(
  n: number,
  count: number,
  span: (i: number, j: number) => number,
  cut: (i: number) => number,
  maxChars: number,
): Layout | undefined {
  const target = span(0, n) / count;
  const lineCost = (i: number, j: number, index: number) => {
    const length = span(i, j);
    const deviation = Math.abs(length - target) / maxChars;
    // Pyramid: a top line longer than the bottom one costs a little more than the reverse.
    const topHeavy = index === 0 && count === 2 && length > target ? 0.15 : 0;
    return deviation + topHeavy;
  };
  // best[k][j]: cheapest layout of tokens[0..j) in k lines; from[k][j]: where its last line starts.
  const best: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from: number[][] = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(-1));
  best[0]![0] = 0;
  for (let k = 1; k <= count; k++) {
    for (let j = 1; j <= n; j++) {
      for (let i = j - 1; i >= k - 1; i--) {
        if (span(i, j) > maxChars) break; // longer lines only get longer as i decreases
        const previous = best[k - 1]![i]!;
        if (previous === Infinity) continue;
        const cost = previous + lineCost(i, j, k - 1) + (i > 0 ? cut(i) : 0);
        if (cost < best[k]![j]!) {
          best[k]![j] = cost;
          from[k]![j] = i;
        }
      }
    }
  }
  if (best[count]![n] === Infinity) return undefined;
  const starts: number[] = [];
  let j = n;
  for (let k = count; k >= 1; k--) {
    const i = from[k]![j]!;
    starts.unshift(i);
    j = i;
  }
  return { starts, cost: best[count]![n]! };
}

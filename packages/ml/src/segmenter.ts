import type { Segment } from '@babelfish/core';

/**
 * Groups timed words into subtitle-sized segments.
 *
 * Whisper's own segments (timestamp tokens) are often too long for a subtitle line and end
 * mid-sentence; its word timestamps are precise enough to cut where a reader expects: after a
 * sentence, at a pause, or before a cue gets too long to read (~7 s, ~84 characters, i.e. two
 * lines of 42).
 */

/** A word as Whisper emits it: `text` keeps its leading space, which is how words join (CJK has none). */
export type TimedToken = { text: string; start: number; end: number };

export type SegmentLimits = {
  maxSeconds: number;
  maxChars: number;
  /** A silence longer than this starts a new segment. */
  pauseSeconds: number;
};

export const defaultSegmentLimits: SegmentLimits = { maxSeconds: 7, maxChars: 84, pauseSeconds: 0.8 };

const sentenceEnd = /[.?!…。？！]["'”’»)\]]*$/u;
const clauseEnd = /[,;:，、；：]["'”’»)\]]*$/u;

export function segmentWords(tokens: readonly TimedToken[], limits: SegmentLimits = defaultSegmentLimits): Segment[] {
  const segments: Segment[] = [];
  let current: TimedToken[] = [];

  const flush = (count = current.length): void => {
    const taken = current.slice(0, count);
    current = current.slice(count);
    const first = taken[0];
    const last = taken[taken.length - 1];
    if (!first || !last) return;
    const text = taken.map((token) => token.text).join('').trim();
    if (!text) return;
    segments.push({
      start: first.start,
      end: last.end,
      text,
      words: taken.filter((token) => token.text.trim()).map((token) => ({ text: token.text.trim(), start: token.start, end: token.end })),
    });
  };

  for (const token of tokens) {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) {
      const paused = token.start - last.end > limits.pauseSeconds;
      const tooLong =
        token.end - first.start > limits.maxSeconds || textLength([...current, token]) > limits.maxChars;
      if (paused) {
        flush();
      } else if (tooLong) {
        flush(clauseBreak(current));
      }
    }
    current.push(token);
    if (sentenceEnd.test(token.text.trim())) flush();
  }
  flush();
  return segments;
}

/**
 * How many words to emit when a segment overflows: up to the last comma-like break if that keeps
 * at least 40% of the text (so we don't leave a one-word orphan), otherwise everything so far.
 */
function clauseBreak(current: readonly TimedToken[]): number {
  const total = textLength(current);
  for (let i = current.length - 1; i > 0; i--) {
    const token = current[i - 1];
    if (token && clauseEnd.test(token.text.trim())) {
      return textLength(current.slice(0, i)) >= total * 0.4 ? i : current.length;
    }
  }
  return current.length;
}

function textLength(tokens: readonly TimedToken[]): number {
  return tokens.map((token) => token.text).join('').trim().length;
}

/**
 * Makes raw Whisper word times safe for subtitles: inside [0, duration], never going backwards,
 * and end ≥ start (the last word's end is sometimes past the audio, or missing).
 */
export function cleanWordTimes(tokens: readonly TimedToken[], duration: number): TimedToken[] {
  const cleaned: TimedToken[] = [];
  let floor = 0;
  for (const token of tokens) {
    const start = clamp(Math.max(token.start, floor), 0, duration);
    const end = clamp(Number.isFinite(token.end) ? Math.max(token.end, start) : start, start, duration);
    cleaned.push({ text: token.text, start: round(start), end: round(end) });
    floor = start;
  }
  return cleaned;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

import type { Segment } from '@babelfish/core';
import { gluedUnspaced, tokenize, visibleLength, type TimedToken } from './text';

/**
 * Where speech is in time, and how text is laid onto it. Source cues have Whisper's word
 * timestamps; a translation has none, so its words are spread over the time the source
 * sentence was actually spoken (pauses left out), in proportion to their characters.
 */

export type Interval = { start: number; end: number };

/** Pauses shorter than this are part of the flow of speech, not a break in it. */
const PAUSE_SECONDS = 0.3;

/**
 * Timed words of a segment: Whisper's own when they match its text (an edited segment's do
 * not), otherwise the text's words spread evenly (by characters) over the segment's span.
 */
export function segmentTokens(segment: Segment, joiner: string): TimedToken[] {
  const words = (segment.words ?? []).filter((word) => word.text.trim());
  const normalise = (text: string) => text.replace(/\s+/g, '');
  if (words.length > 0 && normalise(words.map((word) => word.text).join('')) === normalise(segment.text)) {
    const timed = words.map((word) => ({ text: word.text.trim(), start: word.start, end: Math.max(word.end, word.start) }));
    return joiner === ' ' ? joinAsWritten(timed, segment.text) : glueUnspaced(timed);
  }
  return spreadText(segment.text, [{ start: segment.start, end: Math.max(segment.end, segment.start) }], joiner);
}

/** Whisper's characters of Chinese or Japanese, with closing marks and openers kept on their character's line. */
function glueUnspaced(words: readonly TimedToken[]): TimedToken[] {
  const tokens: TimedToken[] = [];
  for (const word of words) {
    const last = tokens.at(-1);
    if (last && gluedUnspaced(last.text, word.text)) {
      last.text += word.text;
      last.end = Math.max(last.end, word.end);
    } else tokens.push({ ...word });
  }
  return tokens;
}

/**
 * Whisper's words are not always whole words: "ill-disposed" comes as "ill" + "-disposed", a
 * closing bracket or a "," may come alone. The segment's text has them as spoken (its tokens
 * concatenated), so a word with no space before it there is glued to the previous word: the
 * tokens are then exactly the text's space-separated words, and joining them with spaces gives
 * the text back ("ill-disposed", never "ill -disposed").
 */
function joinAsWritten(words: readonly TimedToken[], text: string): TimedToken[] {
  const tokens: TimedToken[] = [];
  let cursor = 0;
  for (const word of words) {
    const at = text.indexOf(word.text, cursor);
    const last = tokens.at(-1);
    // Not found (a word with inner spaces): keep it as its own word.
    const glued = last !== undefined && at >= 0 && !/\s/u.test(text.slice(cursor, at));
    if (glued) {
      last.text += word.text;
      last.end = Math.max(last.end, word.end);
    } else tokens.push({ ...word });
    if (at >= 0) cursor = at + word.text.length;
  }
  return tokens;
}

/** Merges the spans of spoken words into intervals of continuous speech. */
export function speechIntervals(tokens: readonly TimedToken[], pauseSeconds = PAUSE_SECONDS): Interval[] {
  const intervals: Interval[] = [];
  for (const token of tokens) {
    const last = intervals.at(-1);
    if (last && token.start - last.end <= pauseSeconds) last.end = Math.max(last.end, token.end);
    else intervals.push({ start: token.start, end: Math.max(token.end, token.start) });
  }
  return intervals;
}

/** The moment `fraction` (0–1) of the way through the speech, skipping the pauses between intervals. */
export function timeAt(intervals: readonly Interval[], fraction: number): number {
  const total = intervals.reduce((sum, interval) => sum + (interval.end - interval.start), 0);
  const first = intervals[0];
  if (!first) return 0;
  if (total <= 0) return first.start;
  let remaining = Math.min(1, Math.max(0, fraction)) * total;
  for (const interval of intervals) {
    const length = interval.end - interval.start;
    if (remaining <= length) return interval.start + remaining;
    remaining -= length;
  }
  return intervals.at(-1)!.end;
}

/**
 * Splits text into tokens timed by their character offsets along the speech intervals: a word
 * a third of the way through the translation is placed a third of the way through the speech.
 */
export function spreadText(text: string, intervals: readonly Interval[], joiner: string): TimedToken[] {
  const words = tokenize(text, joiner);
  const total = words.reduce((sum, word) => sum + visibleLength(word), 0) + joiner.length * Math.max(0, words.length - 1);
  let offset = 0;
  return words.map((word) => {
    const start = timeAt(intervals, offset / total);
    offset += visibleLength(word);
    const end = timeAt(intervals, offset / total);
    offset += joiner.length;
    return { text: word, start, end };
  });
}

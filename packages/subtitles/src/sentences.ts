import type { Segment } from '@babelfish/core';
import { endsSentence, joinerFor, type TimedToken } from './text';
import { segmentTokens, speechIntervals, type Interval } from './timeline';

/**
 * Speech recognisers cut segments by time, often mid-sentence ("…what your country can do for
 * you," | "ask what you can do…"). Translating those fragments alone loses the grammar that
 * joins them, so the words of all segments are regrouped into whole sentences first.
 */

export type Sentence = {
  tokens: TimedToken[];
  text: string;
  start: number;
  end: number;
  /** When the sentence is actually being spoken (its pauses left out). */
  speech: Interval[];
};

export type SentenceLimits = {
  /** Unpunctuated speech: a silence this long ends the sentence anyway. */
  maxPauseSeconds: number;
  /** Runaway sentences (no punctuation at all) are cut so a translation unit stays manageable. */
  maxSeconds: number;
  maxWords: number;
};

const defaultLimits: SentenceLimits = { maxPauseSeconds: 2, maxSeconds: 30, maxWords: 80 };

export function groupSentences(tokens: readonly TimedToken[], joiner: string, limits: SentenceLimits = defaultLimits): Sentence[] {
  const groups: TimedToken[][] = [];
  let current: TimedToken[] = [];
  for (const token of tokens) {
    const last = current.at(-1);
    const first = current[0];
    const tooLong = first !== undefined && (token.end - first.start > limits.maxSeconds || current.length >= limits.maxWords);
    if (last && (token.start - last.end > limits.maxPauseSeconds || tooLong)) {
      groups.push(current);
      current = [];
    }
    current.push(token);
    if (endsSentence(token.text)) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group) => toSentence(group, joiner));
}

/** Whole sentences from a track's segments, timed by their words where those are known. */
export function sentencesFromSegments(segments: readonly Segment[], language: string): Sentence[] {
  const joiner = joinerFor(language);
  const tokens = segments.flatMap((segment) => segmentTokens(segment, joiner));
  return groupSentences(tokens, joiner);
}

function toSentence(tokens: TimedToken[], joiner: string): Sentence {
  return {
    tokens,
    text: tokens.map((token) => token.text).join(joiner),
    start: tokens[0]?.start ?? 0,
    end: tokens.at(-1)?.end ?? 0,
    speech: speechIntervals(tokens),
  };
}

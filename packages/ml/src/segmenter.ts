import type { Segment } from '@babelfish/core';
import type { DecodeQuality } from './decode-quality';

/**
 * Groups timed words into subtitle-sized segments.
 *
 * Whisper's own segments (timestamp tokens) are often too long for a subtitle and end
 * mid-sentence; its word timestamps are precise enough to cut where a reader expects. We first
 * cut after every sentence and at every pause, then split any phrase still too long to read
 * (~7 s, 84 characters = two lines of 42) at its best inner boundary: a comma-like mark or a
 * gap, near the middle so the two halves are balanced. Splitting as words arrive would instead
 * leave a short orphan ("you, ask what…" after a full-length line).
 */

/**
 * A word as Whisper emits it: `text` keeps its leading space, which is how words join (CJK has
 * none). `quality`: the statistics of the window it was decoded in (shared by its words).
 */
export type TimedToken = { text: string; start: number; end: number; quality?: DecodeQuality };

export type SegmentLimits = {
  maxSeconds: number;
  maxChars: number;
  /** A silence longer than this starts a new segment. */
  pauseSeconds: number;
};

export const defaultSegmentLimits: SegmentLimits = { maxSeconds: 7.5, maxChars: 84, pauseSeconds: 0.8 };

const sentenceEnd = /[.?!…。？！]["'”’»)\]]*$/u;
/** Titles and abbreviations whose period does not end a sentence (English and Spanish, the tested languages). */
const abbreviation = /^(mr|mrs|ms|dr|prof|st|sr|sra|srta|jr|vs|e\.g|i\.e|approx|núm|pág|ud|uds)\.$/iu;
const clauseEnd = /[,;:，、；：—–-]["'”’»)\]]*$/u;

export function segmentWords(tokens: readonly TimedToken[], limits: SegmentLimits = defaultSegmentLimits): Segment[] {
  return phrases(tokens, limits)
    .flatMap((phrase) => splitToFit(phrase, limits))
    .flatMap((piece) => {
      const segment = toSegment(piece);
      return segment ? [segment] : [];
    });
}

/** Runs of words ended by sentence punctuation or followed by a pause. */
function phrases(tokens: readonly TimedToken[], limits: SegmentLimits): TimedToken[][] {
  const result: TimedToken[][] = [];
  let current: TimedToken[] = [];
  for (const token of tokens) {
    const last = current[current.length - 1];
    if (last && token.start - last.end > limits.pauseSeconds) {
      result.push(current);
      current = [];
    }
    current.push(token);
    const word = token.text.trim();
    if (sentenceEnd.test(word) && !abbreviation.test(word)) {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

function splitToFit(tokens: TimedToken[], limits: SegmentLimits): TimedToken[][] {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last || tokens.length === 1) return [tokens];
  if (last.end - first.start <= limits.maxSeconds && textLength(tokens) <= limits.maxChars) return [tokens];
  const cut = bestBoundary(tokens, limits);
  return [...splitToFit(tokens.slice(0, cut), limits), ...splitToFit(tokens.slice(cut), limits)];
}

/**
 * Index k to cut before (1 ≤ k < length). Cost favours balanced halves (0 = equal, 1 = all on one
 * side) and rewards a comma-like mark (0.6) or a gap (up to 0.4 at `pauseSeconds`) before k.
 */
function bestBoundary(tokens: TimedToken[], limits: SegmentLimits): number {
  const total = Math.max(1, textLength(tokens));
  let best = Math.ceil(tokens.length / 2);
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = 1; k < tokens.length; k++) {
    const before = tokens[k - 1];
    const after = tokens[k];
    if (!before || !after) continue;
    const left = textLength(tokens.slice(0, k));
    const balance = Math.abs(left - (total - left)) / total;
    const punctuation = clauseEnd.test(before.text.trim()) ? 0.6 : 0;
    const gap = 0.4 * Math.min(1, Math.max(0, after.start - before.end) / limits.pauseSeconds);
    const cost = balance - punctuation - gap;
    if (cost < bestCost) {
      bestCost = cost;
      best = k;
    }
  }
  return best;
}

function toSegment(tokens: TimedToken[]): Segment | undefined {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const text = tokens.map((token) => token.text).join('').trim();
  if (!first || !last || !text) return undefined;
  return {
    start: first.start,
    end: last.end,
    text,
    words: tokens.filter((token) => token.text.trim()).map((token) => ({ text: token.text.trim(), start: token.start, end: token.end })),
    ...mergeQuality(tokens),
  };
}

/**
 * A segment's statistics: its window's, or, when its words come from several windows, the mean
 * log-probability over its words and the worst of the rest.
 */
export function mergeQuality(tokens: readonly TimedToken[]): Partial<DecodeQuality> {
  const stats = tokens.flatMap((token) => (token.quality ? [token.quality] : []));
  if (stats.length === 0) return {};
  const first = stats[0]!;
  if (stats.every((quality) => quality === first)) return { ...first };
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  return {
    avgLogprob: round(stats.reduce((sum, quality) => sum + quality.avgLogprob, 0) / stats.length),
    compressionRatio: Math.max(...stats.map((quality) => quality.compressionRatio)),
    noSpeechProb: Math.max(...stats.map((quality) => quality.noSpeechProb)),
    temperature: Math.max(...stats.map((quality) => quality.temperature)),
  };
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
    cleaned.push({ text: token.text, start: round(start), end: round(end), ...(token.quality ? { quality: token.quality } : {}) });
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

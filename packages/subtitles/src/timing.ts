import type { Segment, SubtitleRules } from '@babelfish/core';
import { readingLength } from './text';

/**
 * Turns cue texts placed at their speech into on-screen times that meet the rules: long enough
 * to read (minimum duration and characters per second), no longer than the maximum, and a
 * minimum gap between cues. A cue first borrows the pause after its speech, then the pause
 * before it, and only then delays the next cue, so cues stay as close to their speech as the
 * reading speed allows.
 */

export type PlacedCue = { start: number; end: number; text: string };

/** Gaps shorter than this are closed up to the minimum gap: the eye rests less on flicker. */
const CHAIN_SECONDS = 0.5;
/** Slack for rounding to whole milliseconds (what SRT and WebVTT store). */
const ROUNDING = 0.002;

export function requiredSeconds(text: string, rules: SubtitleRules): number {
  const reading = readingLength(text, rules.fullWidthUnits) / rules.maxCharsPerSecond;
  return Math.min(rules.maxDurationSeconds - ROUNDING, Math.max(rules.minDurationSeconds, reading) + ROUNDING);
}

export function timeCues(placed: readonly PlacedCue[], rules: SubtitleRules, mediaDuration?: number): Segment[] {
  const gap = rules.minGapSeconds + ROUNDING;
  const end = mediaDuration && mediaDuration > 0 ? mediaDuration : Infinity;
  const cues = placed.map((cue) => ({ text: cue.text, start: Math.max(0, cue.start), end: Math.max(cue.end, cue.start) }));

  cues.forEach((cue, i) => {
    const previous = cues[i - 1];
    const next = cues[i + 1];
    const need = requiredSeconds(cue.text, rules);
    if (previous) cue.start = Math.max(cue.start, previous.end + gap);
    cue.end = Math.max(cue.end, cue.start);
    const room = next ? next.start - gap : end;
    if (cue.end - cue.start < need) cue.end = Math.min(cue.start + need, Math.max(room, cue.end));
    if (cue.end - cue.start < need) cue.start = Math.max(previous ? previous.end + gap : 0, cue.end - need);
    // Still short: take the time from the next cue, whose start moves later.
    if (cue.end - cue.start < need) cue.end = cue.start + need;
    if (next && next.start - cue.end < CHAIN_SECONDS) cue.end = Math.max(cue.end, next.start - gap);
    cue.end = Math.min(cue.end, cue.start + rules.maxDurationSeconds - ROUNDING);
  });

  // The media ends: the last cues move back (and earlier ones make room) instead of running past it.
  for (let i = cues.length - 1; i >= 0; i--) {
    const cue = cues[i]!;
    const limit = i === cues.length - 1 ? end : cues[i + 1]!.start - gap;
    if (cue.end <= limit) break;
    cue.end = limit;
    cue.start = Math.max(0, Math.min(cue.start, cue.end - requiredSeconds(cue.text, rules)));
  }

  return cues.map((cue) => ({ start: roundMs(cue.start), end: roundMs(cue.end), text: cue.text }));
}

/**
 * Whether a cue can get its reading time between its neighbours' speech without pushing them:
 * the cue is then better merged with a neighbour.
 */
export function isCramped(cues: readonly PlacedCue[], index: number, rules: SubtitleRules, mediaDuration?: number): boolean {
  const cue = cues[index];
  if (!cue) return false;
  const gap = rules.minGapSeconds + ROUNDING;
  const from = index > 0 ? cues[index - 1]!.end + gap : 0;
  const to = index < cues.length - 1 ? cues[index + 1]!.start - gap : (mediaDuration ?? Infinity);
  return to - from < requiredSeconds(cue.text, rules);
}

function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

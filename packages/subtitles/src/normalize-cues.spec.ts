import { seededRandom } from '@babelfish/core';
import type { Segment, SubtitleRules } from '@babelfish/core';
import { normalizeCues } from './normalize-cues';
import { checkCues } from './quality';
import { defaultSubtitleRules, resolveRules } from './rules';
import { timeCues } from './timing';

// Deterministic pseudo-random numbers, so a failing case can be replayed by its seed.
const random = seededRandom;

const WORDS = ['ok', 'yes', 'no', 'go', 'hi', 'so', 'well', 'right'];
const ODD_TIMES = [Number.NaN, -1, -0.001, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];

/** Everything a recogniser or an editor could send: unsorted, overlapping, zero-length, tiny, NaN, empty. */
function degenerateTrack(next: () => number, count: number, span: number): Segment[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, () => {
    const kind = next();
    const start = kind < 0.1 ? pick(ODD_TIMES) : next() * span;
    const length = kind < 0.3 ? 0 : kind < 0.6 ? 0.01 : kind < 0.7 ? -next() : next() * 12;
    const end = kind > 0.95 ? pick(ODD_TIMES) : start + length;
    const text = kind > 0.9 && kind <= 0.95 ? pick(['', '  ', '\n\n', ' \n ']) : pick(WORDS);
    return { start, end, text };
  });
}

/** The invariants, checked directly (not through the quality checker) and in whole milliseconds. */
function assertHolds(cues: readonly Segment[], rules: SubtitleRules, mediaDuration?: number): void {
  const ms = (seconds: number) => Math.round(seconds * 1000);
  cues.forEach((cue, i) => {
    expect(Number.isFinite(cue.start) && Number.isFinite(cue.end)).toBe(true);
    expect(cue.text.trim()).not.toBe('');
    expect(cue.start).toBeGreaterThanOrEqual(0);
    if (mediaDuration !== undefined) expect(cue.end).toBeLessThanOrEqual(mediaDuration);
    const duration = ms(cue.end) - ms(cue.start);
    expect(duration).toBeGreaterThanOrEqual(ms(rules.minDurationSeconds));
    expect(duration).toBeLessThanOrEqual(ms(rules.maxDurationSeconds));
    const previous = cues[i - 1];
    if (previous) expect(ms(cue.start) - ms(previous.end)).toBeGreaterThanOrEqual(ms(rules.minGapSeconds));
  });
}

function violations(cues: readonly Segment[], rules: SubtitleRules): Record<string, number> {
  return Object.fromEntries(Object.entries(checkCues(cues, rules).counts).filter(([, count]) => count > 0));
}

/**
 * The quality report on the result: no timing rule broken (empty, duration, overlap, gap). The
 * reading speed is given room where there is some, not guaranteed (text is merged or dropped
 * only for the minimum duration), so it is checked only where the minimum duration already
 * covers these short texts' reading time, as with the broadcast rules.
 */
function assertCleanReport(cues: readonly Segment[], rules: SubtitleRules): void {
  const { cps = 0, ...others } = violations(cues, rules);
  expect(others).toEqual({});
  if (rules.minDurationSeconds * rules.maxCharsPerSecond >= 2 * Math.max(...WORDS.map((word) => word.length)) + 1) expect(cps).toBe(0);
}

const ruleSets: [string, SubtitleRules][] = [
  ['broadcast defaults', defaultSubtitleRules],
  ['no gap, short minimum', resolveRules({ minGapSeconds: 0, minDurationSeconds: 0.3, maxDurationSeconds: 3, maxCharsPerLine: 16, maxCharsPerSecond: 20 })],
  ['long gap, long minimum', resolveRules({ minGapSeconds: 1, minDurationSeconds: 3, maxDurationSeconds: 15, maxLines: 1 })],
  ['Japanese defaults (13 full-width characters, 4 characters/s)', resolveRules({}, 'ja')],
];

describe.each(ruleSets)('normalizeCues with %s', (_name, rules) => {
  it.each(Array.from({ length: 40 }, (_, seed) => seed))('random degenerate track %i: every rule holds and the quality report is clean', (seed) => {
    const next = random(seed + 1);
    const mediaDuration = next() < 0.5 ? undefined : 5 + next() * 120;
    const input = degenerateTrack(next, 1 + Math.floor(next() * 300), mediaDuration ?? 100);
    const cues = normalizeCues(input, rules, mediaDuration);
    assertHolds(cues, rules, mediaDuration);
    assertCleanReport(cues, rules);
    // A second pass changes nothing: the result is already a valid track.
    expect(normalizeCues(cues, rules, mediaDuration)).toEqual(cues);
  });

  it('thousands of 10 ms cues, back to back and at identical times', () => {
    const backToBack = Array.from({ length: 5000 }, (_, i) => ({ start: i * 0.01, end: i * 0.01 + 0.01, text: WORDS[i % WORDS.length]! }));
    const stacked = Array.from({ length: 3000 }, (_, i) => ({ start: 4, end: 4.01, text: WORDS[i % WORDS.length]! }));
    for (const input of [backToBack, stacked, [...stacked, ...backToBack].reverse()]) {
      const cues = normalizeCues(input, rules, 60);
      expect(cues.length).toBeGreaterThan(0);
      assertHolds(cues, rules, 60);
      assertCleanReport(cues, rules);
    }
  });
});

describe('normalizeCues', () => {
  const rules = defaultSubtitleRules;

  it('sorts, drops empty and unreadable times, and extends a short cue into the pause after it', () => {
    const cues = normalizeCues(
      [
        { start: 10, end: 10.2, text: 'later' },
        { start: Number.NaN, end: 3, text: 'no start' },
        { start: 1, end: Number.POSITIVE_INFINITY, text: 'no end' },
        { start: 2, end: 2.5, text: '   ' },
        { start: 0.5, end: 0.5, text: 'zero' },
      ],
      rules,
    );
    expect(cues).toEqual([
      { start: 0.5, end: 1.5, text: 'zero' },
      { start: 10, end: 11, text: 'later' },
    ]);
  });

  it('clamps overlaps: trims the previous cue when it keeps its minimum, else starts the next one later', () => {
    expect(normalizeCues([{ start: 0, end: 4, text: 'long one' }, { start: 2, end: 5, text: 'next' }], rules)).toEqual([
      { start: 0, end: 1.917, text: 'long one' },
      { start: 2, end: 5, text: 'next' },
    ]);
    expect(normalizeCues([{ start: 0, end: 1.5, text: 'first' }, { start: 0.5, end: 4, text: 'second' }], rules)).toEqual([
      { start: 0, end: 1.5, text: 'first' },
      { start: 1.583, end: 4, text: 'second' },
    ]);
  });

  it('borrows the pause before a short cue, merges one with no room into a neighbour, drops one that fits nowhere', () => {
    // No pause after (the next cue), a pause before: the cue starts earlier.
    expect(normalizeCues([{ start: 0, end: 1, text: 'a' }, { start: 3, end: 3.2, text: 'b' }, { start: 3.283, end: 5, text: 'c' }], rules)[1]).toEqual({
      start: 2.2,
      end: 3.2,
      text: 'b',
    });
    // Two identical short cues read as one two-line cue.
    expect(normalizeCues([{ start: 1, end: 1.1, text: 'Hello' }, { start: 1, end: 1.1, text: 'there' }], rules, 2)).toEqual([{ start: 1, end: 2, text: 'Hello\nthere' }]);
    // A third cannot join (two lines at most): it is dropped rather than shown for 0.1 s.
    expect(normalizeCues(['one', 'two', 'three'].map((text) => ({ start: 1, end: 1.1, text })), rules, 2)).toEqual([{ start: 1, end: 2, text: 'one\ntwo' }]);
  });

  it('keeps cues inside the media and under the maximum duration', () => {
    expect(normalizeCues([{ start: 8, end: 30, text: 'too long' }, { start: 11.5, end: 12, text: 'past the end' }], rules, 10)).toEqual([{ start: 8, end: 10, text: 'too long' }]);
    expect(normalizeCues([{ start: 9.8, end: 9.9, text: 'late' }], rules, 10)).toEqual([{ start: 9, end: 10, text: 'late' }]);
  });

  it('leaves a track the segmenter timed as it is (to the 2 ms of rounding slack)', () => {
    const next = random(99);
    let at = 0;
    const placed = Array.from({ length: 200 }, () => {
      at += next() * 3;
      const start = at;
      at += 0.2 + next() * 4;
      return { start, end: at, text: `${WORDS[Math.floor(next() * WORDS.length)]} ${'word '.repeat(Math.floor(next() * 6))}`.trim() };
    });
    const timed = timeCues(placed, rules, at + 5);
    const cues = normalizeCues(timed, rules, at + 5);
    expect(cues.map((cue) => cue.text)).toEqual(timed.map((cue) => cue.text));
    cues.forEach((cue, i) => {
      expect(Math.abs(cue.start - timed[i]!.start)).toBeLessThanOrEqual(0.002);
      expect(Math.abs(cue.end - timed[i]!.end)).toBeLessThanOrEqual(0.002);
    });
  });
});

import { checkCues, summarizeQuality, trackQuality, violationCount } from './quality';
import { defaultSubtitleRules as rules, resolveRules } from './rules';

describe('checkCues', () => {
  it('finds nothing wrong with cues that meet the rules', () => {
    const cues = [
      { start: 0.5, end: 3, text: 'And so, my fellow Americans,' },
      { start: 3.083, end: 7, text: 'ask not what your country\ncan do for you.' },
    ];
    expect(violationCount(checkCues(cues, rules))).toBe(0);
  });

  it('counts each kind of violation and names the cue', () => {
    const { counts, issues } = checkCues(
      [
        { start: 0, end: 1.2, text: 'This first line is far too long for any subtitle standard' }, // line length, cps
        { start: 1.22, end: 2.5, text: 'one\ntwo\nthree' }, // gap (20 ms)
        { start: 2.4, end: 3.5, text: ' ' }, // empty
        { start: 3.4, end: 4, text: 'overlap' }, // overlap, duration
        { start: 5, end: 13, text: 'far too long on screen' }, // duration
      ],
      rules,
    );
    expect(counts).toEqual({ empty: 1, lineLength: 1, lineCount: 1, cps: 1, duration: 2, gap: 1, overlap: 1 });
    expect(issues.map((issue) => [issue.cue, issue.rule])).toEqual([
      [1, 'lineLength'], [1, 'cps'], [2, 'lineCount'], [2, 'gap'], [3, 'empty'], [4, 'duration'], [4, 'overlap'], [5, 'duration'],
    ]);
    expect(issues[1]?.message).toMatch(/^Cue 1: reads at 47\.5 characters\/s \(max 17\)$/);
  });

  it('tolerates millisecond rounding at the limits', () => {
    // 17 characters in exactly 1 s, written with a millisecond of rounding.
    expect(checkCues([{ start: 0.0004, end: 1.0004, text: 'x'.repeat(17) }], rules).counts.cps).toBe(0);
  });

  it('excuses a cue cut short only by the end of a very short recording', () => {
    expect(checkCues([{ start: 0, end: 0.52, text: 'Hola' }], rules, 0.52).counts.duration).toBe(0);
    expect(checkCues([{ start: 0, end: 0.5, text: 'Hola' }], rules, 10).counts.duration).toBe(1);
  });

  it('summarises a track in one line', () => {
    const track = trackQuality('es', 'translation', [{ start: 0, end: 0.5, text: 'Hola' }], rules);
    expect(summarizeQuality(track)).toBe('es: 1 cues, 1 violation (duration 1)');
  });
});

describe('resolveRules', () => {
  it('starts from broadcast defaults and validates overrides', () => {
    expect(resolveRules()).toEqual({ maxCharsPerLine: 42, maxLines: 2, maxCharsPerSecond: 17, minDurationSeconds: 1, maxDurationSeconds: 7, minGapSeconds: 0.083 });
    expect(resolveRules({ maxCharsPerLine: 37, maxCharsPerSecond: '20' })).toMatchObject({ maxCharsPerLine: 37, maxCharsPerSecond: 20 });
    expect(() => resolveRules({ maxLines: 5 })).toThrow(/maxLines must be a number from 1 to 3/);
    expect(() => resolveRules({ maxCharsPerLine: 40.5 })).toThrow(/whole number/);
    expect(() => resolveRules({ colour: 1 } as never)).toThrow(/not a rule/);
    expect(() => resolveRules({ minDurationSeconds: 3, maxDurationSeconds: 2 })).toThrow(/below/);
    expect(() => resolveRules({ maxCharsPerLine: 80, maxLines: 3, maxCharsPerSecond: 8, maxDurationSeconds: 7 })).toThrow(/cannot be read/);
  });
});

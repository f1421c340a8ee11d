import { formatEditorTime, parseEditorTime, validateSegments } from './subtitle-validation';

describe('subtitle editor validation', () => {
  it('accepts ordered, non-overlapping cues', () => {
    expect(validateSegments([{ start: 0, end: 1.5, text: 'Hola' }, { start: 1.5, end: 3, text: 'mundo' }])).toEqual([]);
  });

  it('rejects negative times, end before start, overlaps and empty text, naming the cue', () => {
    const problems = validateSegments([
      { start: -1, end: 2, text: 'a' },
      { start: 1, end: 0.5, text: 'b' },
      { start: 3, end: 5, text: ' ' },
      { start: 4, end: 6, text: 'd' },
    ]);
    expect(problems).toEqual([
      { index: 0, field: 'start', message: 'Cue 1: start must be a time of 0 or more' },
      { index: 1, field: 'end', message: 'Cue 2: end must be after start' },
      { index: 1, field: 'start', message: 'Cue 2: starts before cue 1 ends (overlap)' },
      { index: 2, field: 'text', message: 'Cue 3: text is empty' },
      { index: 3, field: 'start', message: 'Cue 4: starts before cue 3 ends (overlap)' },
    ]);
  });

  it('rejects non-numbers and absurd cues', () => {
    const problems = validateSegments([{ start: Number.NaN, end: 40, text: 'x'.repeat(501) }]);
    expect(problems.map((problem) => problem.field)).toEqual(['start', 'text']);
    expect(validateSegments([{ start: 0, end: 31, text: 'long' }])[0]?.message).toMatch(/more than 30 s/);
  });

  it('rejects control characters, NUL, bidi overrides and lone surrogates, naming the cue and the character', () => {
    const texts = ['a\u0000b', 'bell\u0007', 'esc\u001b[31m', 'c1\u0085', 'evil\u202eright', 'half \ud83d pair', 'del\u007f'];
    const problems = validateSegments(texts.map((text, i) => ({ start: i, end: i + 0.5, text })));
    expect(problems.map((problem) => problem.message)).toEqual([
      'Cue 1: text contains the control character U+0000',
      'Cue 2: text contains the control character U+0007',
      'Cue 3: text contains the control character U+001B',
      'Cue 4: text contains the control character U+0085',
      'Cue 5: text contains the control character U+202E',
      'Cue 6: text contains the control character U+D83D',
      'Cue 7: text contains the control character U+007F',
    ]);
    // Line breaks, tabs, emoji, right-to-left marks and isolates are text.
    expect(validateSegments([{ start: 0, end: 1, text: 'שלום\u200f \u2067עולם\u2069\tline\r\ntwo 😀' }])).toEqual([]);
  });

  it('parses and formats editor times', () => {
    expect(parseEditorTime('00:01:23.500')).toBeCloseTo(83.5);
    expect(parseEditorTime('1:02,25')).toBeCloseTo(62.25);
    expect(parseEditorTime('12.5')).toBe(12.5);
    expect(parseEditorTime('-1')).toBeNaN();
    expect(parseEditorTime('abc')).toBeNaN();
    expect(formatEditorTime(83.5)).toBe('00:01:23.500');
    expect(formatEditorTime(3723.004)).toBe('01:02:03.004');
  });
});

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

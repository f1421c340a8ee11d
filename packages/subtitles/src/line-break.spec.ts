import { breakLines } from './line-break';
import { insideName, isCapitalised, readingLength } from './text';

const limits = { maxCharsPerLine: 42, maxLines: 2 };

describe('breakLines', () => {
  it('keeps text that fits on one line', () => {
    expect(breakLines('ask what you can do for your country.', limits)?.lines).toEqual(['ask what you can do for your country.']);
    expect(breakLines('   ', limits)?.lines).toEqual([]);
  });

  it('breaks after punctuation rather than at the balanced middle', () => {
    const result = breakLines('And so, my fellow Americans, ask not what your country can do for you', limits);
    expect(result?.lines).toEqual(['And so, my fellow Americans,', 'ask not what your country can do for you']);
  });

  it('breaks before a conjunction and never after an article or preposition', () => {
    const lines = breakLines('I climbed the highest mountain of all and then came back down alive', limits)?.lines ?? [];
    expect(lines).toEqual(['I climbed the highest mountain of all', 'and then came back down alive']);
    const spanish = breakLines('yo sé que puedo escalar el Everest sin oxígeno de ninguna clase', limits)?.lines ?? [];
    for (const line of spanish) expect(line).not.toMatch(/ (el|la|de|sin)$/);
  });

  it('never splits a run of capitalised words (a name), even when the middle falls inside it', () => {
    // The balanced cut would fall between "President John" and "F. Kennedy".
    const text = 'It was given by President John F. Kennedy in Washington';
    const lines = breakLines(text, limits)?.lines ?? [];
    expect(lines).toHaveLength(2);
    expect(lines.some((line) => line.includes('President John F. Kennedy'))).toBe(true);
    expect(insideName('John', 'F.')).toBe(true);
    expect(insideName('F.', 'Kennedy')).toBe(true);
    expect(insideName('Americans,', 'Ask')).toBe(false);
    expect(isCapitalised('¿Everest')).toBe(true);
    expect(isCapitalised('oxígeno')).toBe(false);
  });

  it('keeps protected phrases (glossary terms) on one line', () => {
    const text = 'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii';
    const free = breakLines(text, limits)?.lines.join('\n') ?? '';
    expect(free).not.toContain('dddd eeee ffff'); // the balanced cut splits it…
    const kept = breakLines(text, { ...limits, keepTogether: ['Dddd eeee ffff'] })?.lines ?? [];
    expect(kept).toHaveLength(2);
    expect(kept.some((line) => line.includes('dddd eeee ffff'))).toBe(true); // …unless it is protected (case-insensitive)
  });

  it('respects every limit, or says it cannot', () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
    expect(breakLines(text, limits)).toBeUndefined(); // 97 characters cannot fit 2 × 42
    const three = breakLines(text, { maxCharsPerLine: 42, maxLines: 3 })?.lines ?? [];
    expect(three).toHaveLength(3);
    for (const line of three) expect(line.length).toBeLessThanOrEqual(42);
    expect(three.join(' ')).toBe(text);
  });

  it('prefers a slightly longer bottom line (pyramid) over a longer top line', () => {
    // Cutting after the 4th or the 5th word is equally unbalanced (23/29 or 29/23).
    const lines = breakLines('aaaaa bbbbb ccccc ddddd eeeee fffff ggggg hhhhh iiiii', limits)?.lines ?? [];
    expect(lines.map((line) => line.length)).toEqual([23, 29]);
  });

  it('lays out unspaced scripts character by character, punctuation kept with its character', () => {
    const lines = breakLines('我知道我可以不带氧气攀登珠穆朗玛峰。这是一个很大的梦想。', { maxCharsPerLine: 16, maxLines: 2, joiner: '' })?.lines ?? [];
    expect(lines).toHaveLength(2);
    expect(lines.join('')).toBe('我知道我可以不带氧气攀登珠穆朗玛峰。这是一个很大的梦想。');
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(16);
    expect(lines[1]?.startsWith('。')).toBe(false);
  });

  it('counts reading length with a line break as one space', () => {
    expect(readingLength('ask not\nwhat')).toBe('ask not what'.length);
    expect(readingLength('  😀 ok ')).toBe(4);
  });
});

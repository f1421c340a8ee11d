import { cueLines, forbiddenCharacter, normalizeCueText, unifyWhitespace } from './cue-text';

describe('cue text', () => {
  it('unifies line breaks and tabs without removing anything', () => {
    expect(unifyWhitespace('a\r\nb\rc\u2028d\u2029e\tf')).toBe('a\nb\nc\nd\ne f');
  });

  it('keeps non-blank trimmed lines and drops control characters', () => {
    expect(cueLines('  one \n\n \u0000\n two\u0007\u202e \r\n\r\nthree')).toEqual(['one', 'two', 'three']);
    expect(normalizeCueText('x\u001b[1m\n\n\ny')).toBe('x[1m\ny');
  });

  it('names the first forbidden character, or none', () => {
    expect(forbiddenCharacter('fine 😀 \u200f\n')).toBeUndefined();
    expect(forbiddenCharacter('bad\u202d and \u0000')).toBe('U+202D');
    expect(forbiddenCharacter('lone \udc00')).toBe('U+DC00');
    // Repeated calls do not depend on a previous match (the pattern is global).
    expect(forbiddenCharacter('\u0001')).toBe('U+0001');
    expect(forbiddenCharacter('\u0001')).toBe('U+0001');
  });
});

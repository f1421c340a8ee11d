import { normalizeForWer, wordErrorRate } from './index';

describe('normalizeForWer', () => {
  it('lowercases, strips punctuation (Spanish ¿ ¡ too) and collapses whitespace', () => {
    expect(normalizeForWer('  ¿Te imaginas?  ¡Sí,   claro!  ')).toBe('te imaginas sí claro');
    expect(normalizeForWer('And so, my fellow Americans…')).toBe('and so my fellow americans');
  });

  it('applies NFKC so composed and decomposed accents compare equal', () => {
    expect(normalizeForWer('Oxi\u0301geno')).toBe(normalizeForWer('Oxígeno'));
    expect(normalizeForWer('ﬁne')).toBe('fine'); // ligature → two letters
  });

  it('joins contractions instead of splitting them', () => {
    expect(normalizeForWer("I'm here, don’t go")).toBe('im here dont go');
  });
});

describe('wordErrorRate', () => {
  it('is 0 for identical text up to case and punctuation', () => {
    expect(wordErrorRate('Ask not what your country can do for you.', 'ask not, what your country can do for you')).toBe(0);
  });

  it('counts one substitution over the reference length', () => {
    // 4 reference words, "sat" → "sit": 1 / 4.
    expect(wordErrorRate('the cat sat down', 'the cat sit down')).toBe(0.25);
  });

  it('counts deletions and insertions', () => {
    // Reference 5 words; hypothesis drops "very" and adds "indeed": 2 / 5.
    expect(wordErrorRate('it is very cold today', 'it is cold today indeed')).toBe(0.4);
    // Everything missing: 3 deletions / 3.
    expect(wordErrorRate('one two three', '')).toBe(1);
    // Insertions can push the rate above 1: one substitution and two insertions over one reference word.
    expect(wordErrorRate('hello', 'hi there friend')).toBe(3);
  });

  it('handles an empty reference', () => {
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate(' ¿? ', 'something')).toBe(1);
  });
});

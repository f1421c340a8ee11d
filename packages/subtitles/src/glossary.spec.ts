import { glossaryEntries, glossaryLimits, isGlossaryEmpty, parseGlossary } from './glossary';
import { enforceTerms, protectedPhrases, protectTerms, restoreTerms } from './glossary-protect';

describe('parseGlossary', () => {
  it('accepts an object or its JSON text, trimming and de-duplicating', () => {
    const glossary = parseGlossary('{"terms":{" country ":"nación"},"byLanguage":{"FR":{"country":"patrie"}},"doNotTranslate":["Babelfish","Babelfish"]}');
    expect(glossary).toEqual({ terms: { country: 'nación' }, byLanguage: { fr: { country: 'patrie' } }, doNotTranslate: ['Babelfish'] });
    expect(parseGlossary({ doNotTranslate: ['JFK'] })).toEqual({ terms: {}, byLanguage: {}, doNotTranslate: ['JFK'] });
    expect(isGlossaryEmpty(parseGlossary({}))).toBe(true);
  });

  it('rejects bad shapes, unknown languages, control characters and oversized glossaries with 400s', () => {
    const rejects = (value: unknown, message: RegExp) => {
      expect(() => parseGlossary(value)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(message) }));
    };
    rejects('{not json', /not valid JSON/);
    rejects(['country'], /send an object/);
    rejects({ terms: { country: 5 } }, /must be a string/);
    rejects({ terms: { 'evil\u202Eoverride': 'x' } }, /printable text/); // bidi override
    rejects({ terms: { country: 'na\u0000ción' } }, /printable text/);
    rejects({ terms: { '...': 'x' } }, /letter or digit/);
    rejects({ byLanguage: { xx: {} } }, /unknown language "xx"/);
    rejects({ doNotTranslate: 'Babelfish' }, /list of terms/);
    rejects({ colours: {} }, /unknown field/);
    rejects({ terms: { ['x'.repeat(101)]: 'y' } }, /longer than 100/);
    const many = Object.fromEntries(Array.from({ length: glossaryLimits.entries + 1 }, (_, i) => [`term${i}`, `t${i}`]));
    rejects({ terms: many }, /the limit is 500/);
    rejects('x'.repeat(glossaryLimits.jsonBytes + 1), /larger than/);
  });

  it('gives each target language its terms: shared ones, its overrides, and do-not-translate terms as themselves', () => {
    const glossary = parseGlossary({ terms: { country: 'nación' }, byLanguage: { fr: { country: 'patrie' } }, doNotTranslate: ['Babelfish'] });
    expect(glossaryEntries(glossary, 'es')).toEqual([{ source: 'country', target: 'nación' }, { source: 'Babelfish', target: 'Babelfish' }]);
    expect(glossaryEntries(glossary, 'fr')).toEqual([{ source: 'country', target: 'patrie' }, { source: 'Babelfish', target: 'Babelfish' }]);
    expect(glossaryEntries(undefined, 'es')).toEqual([]);
  });
});

describe('glossary protection', () => {
  const entries = [
    { source: 'country', target: 'nación' },
    { source: 'New York', target: 'Nueva York' },
    { source: 'New York City', target: 'la ciudad de Nueva York' },
    { source: 'Babelfish', target: 'Babelfish' },
  ];

  it('swaps whole-word terms (any case, longest first) for placeholders and back', () => {
    const protectedText = protectTerms('Babelfish asks your COUNTRY, not your countryside, about New York City and New  York.', entries);
    expect(protectedText.text).toBe('ZXQ1 asks your ZXQ3, not your countryside, about ZXQ0 and ZXQ2.');
    // What an engine might return: words translated, placeholders moved, spacing changed.
    const restored = restoreTerms('ZXQ1 pregunta a tu ZXQ3, no a tu campo, por ZXQ0 y ZXQ 2.', protectedText);
    expect(restored).toEqual({ text: 'Babelfish pregunta a tu nación, no a tu campo, por la ciudad de Nueva York y Nueva York.', missing: [] });
  });

  it('capitalises a term that opens the sentence and reports placeholders the engine lost', () => {
    const protectedText = protectTerms('Country first, then Babelfish.', entries);
    expect(protectedText.text).toBe('ZXQ1 first, then ZXQ0.');
    expect(restoreTerms('zxq1 primero, luego.', protectedText)).toEqual({ text: 'Nación primero, luego.', missing: ['Babelfish'] });
  });

  it('matches inside words for unspaced scripts only when asked', () => {
    expect(protectTerms('我爱country', entries).replacements).toEqual([]);
    expect(protectTerms('我爱country', entries, { wordBounded: false }).text).toBe('我爱ZXQ0');
  });

  it('enforces required spellings on text no placeholder went through (the whisper engine)', () => {
    expect(enforceTerms('the babelfish team loves this country', entries)).toBe('the Babelfish team loves this nación');
    expect(protectedPhrases(entries)).toEqual(['Nueva York', 'la ciudad de Nueva York']);
  });
});

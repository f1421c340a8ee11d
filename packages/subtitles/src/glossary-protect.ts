import type { GlossaryEntry } from './glossary';

/**
 * Makes any translation engine honour a glossary. Before translation each glossary term in
 * the source is swapped for a placeholder token the engine passes through untouched (rule-based
 * Apertium copies unknown words; neural engines copy rare alphanumeric tokens); after
 * translation each placeholder becomes the required translation. Engines that do not translate
 * text (Whisper listens to the audio) get the terms enforced on their output instead.
 */

export type ProtectedText = {
  text: string;
  /** Placeholder number → what it must become in the translation. */
  replacements: string[];
};

/** Capital letters with a number: copied verbatim by Apertium, and unlike any real word. */
const PLACEHOLDER_PREFIX = 'ZXQ';
const placeholderPattern = new RegExp(`${PLACEHOLDER_PREFIX}\\s?(\\d+)(?!\\d)`, 'gi');

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A case-insensitive pattern for a term: spaces match any whitespace, and in spaced scripts the
 * term must stand alone ("cat" does not match inside "category").
 */
function termPattern(term: string, wordBounded: boolean): RegExp {
  const body = term.split(/\s+/).map(escapeRegex).join('\\s+');
  return wordBounded ? new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'giu') : new RegExp(body, 'giu');
}

/** Longest terms first, so "New York City" wins over "New York". */
function byLength(entries: readonly GlossaryEntry[]): GlossaryEntry[] {
  return entries.slice().sort((a, b) => b.source.length - a.source.length);
}

export function protectTerms(text: string, entries: readonly GlossaryEntry[], options: { wordBounded?: boolean } = {}): ProtectedText {
  const replacements: string[] = [];
  let result = text;
  for (const entry of byLength(entries)) {
    result = result.replace(termPattern(entry.source, options.wordBounded ?? true), () => {
      replacements.push(entry.target);
      return `${PLACEHOLDER_PREFIX}${replacements.length - 1}`;
    });
  }
  return { text: result, replacements };
}

/**
 * Puts the required translations where the placeholders came back. `missing` lists terms whose
 * placeholder the engine dropped, so the caller can report them (the text is still usable).
 */
export function restoreTerms(translated: string, protectedText: ProtectedText): { text: string; missing: string[] } {
  const seen = new Set<number>();
  let text = translated.replace(placeholderPattern, (match, digits: string) => {
    const index = Number(digits);
    const replacement = protectedText.replacements[index];
    if (replacement === undefined) return match;
    seen.add(index);
    return replacement;
  });
  // A term that opens the sentence takes a capital, as the source word had.
  if (/^ZXQ\s?\d/i.test(translated.trim())) text = text.replace(/^(\s*[¿¡"«“]?)(\p{Ll})/u, (_, lead: string, letter: string) => lead + letter.toUpperCase());
  const missing = protectedText.replacements.filter((_, index) => !seen.has(index));
  return { text, missing };
}

/** For engines that never see the source text: required spellings forced onto their output. */
export function enforceTerms(text: string, entries: readonly GlossaryEntry[], options: { wordBounded?: boolean } = {}): string {
  const { text: marked, replacements } = protectTerms(text, entries, options);
  return restoreTerms(marked, { text: marked, replacements }).text;
}

/** Phrases a line or cue must not split: the translations the glossary put in. */
export function protectedPhrases(entries: readonly GlossaryEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.target).filter((target) => /\s/.test(target)))];
}

import { findLanguage } from '@babelfish/core';

/**
 * Text facts the segmenter and line breaker share: how long a cue reads, how words join, and
 * which boundaries between two words are natural places to cut (or must never be cut).
 */

/** A word (or CJK character group) with the time span it is spoken in, seconds. */
export type TimedToken = { text: string; start: number; end: number };

/**
 * Scripts written without spaces between words (ISO 15924, from the language table): Chinese,
 * Japanese, Thai, Lao, Burmese (and Shan), Khmer, Tibetan (and Dzongkha). Tokens join with nothing.
 */
const unspacedScripts = new Set(['Hans', 'Hant', 'Jpan', 'Thai', 'Laoo', 'Mymr', 'Khmr', 'Tibt']);

export function joinerFor(language: string): string {
  const script = findLanguage(language)?.script;
  return script !== undefined && unspacedScripts.has(script) ? '' : ' ';
}

/**
 * Full-width (East Asian Wide) characters: CJK ideographs and punctuation, kana, Hangul,
 * full-width forms. Half-width katakana (U+FF61–FF9F) and everything else are half-width.
 */
const fullWidth = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF01-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;

/**
 * Characters as a reader sees them (code points, so an emoji or astral CJK counts once). With
 * `fullWidthUnits` (Chinese, Japanese and Korean rules) a half-width character counts half.
 */
export function visibleLength(text: string, fullWidthUnits = false): number {
  const chars = Array.from(text);
  if (!fullWidthUnits) return chars.length;
  return chars.reduce((sum, char) => sum + (fullWidth.test(char) ? 1 : 0.5), 0);
}

/** What reading speed is measured on: every character, a line break counting as one space. */
export function readingLength(text: string, fullWidthUnits = false): number {
  return visibleLength(text.replace(/\s*\n\s*/g, ' ').trim(), fullWidthUnits);
}

/** Splits text into tokens: words, or for unspaced scripts characters with their punctuation. */
export function tokenize(text: string, joiner: string): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  if (joiner === ' ') return clean.split(' ');
  return tokenizeUnspaced(clean);
}

/** Opening brackets and quotes: never at the end of a line (kinsoku), so they stick to what follows. */
const opening = /^[\p{Ps}\p{Pi}]$/u;
/**
 * Never at the start of a line (kinsoku): punctuation and symbols other than openers, small
 * kana, the prolonged sound mark, iteration marks and combining marks stick to what precedes.
 */
const closing = /^[\p{Pe}\p{Pf}\p{Po}\p{Pd}\p{Pc}\p{S}\p{M}ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰ-ㇿーゝゞヽヾ々〻]/u;
/** Letters and digits of alphabetic scripts: a Latin word or a number inside CJK text stays whole. */
const alphanumeric = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Nd}]/u;

/**
 * Whether, in unspaced text, `next` must stay on the same line as `previous` (no break between
 * them): a closing mark after anything, anything after an opener, a Latin word's letters.
 */
export function gluedUnspaced(previous: string, next: string): boolean {
  const last = Array.from(previous).at(-1) ?? '';
  const first = Array.from(next)[0] ?? '';
  if (!last || !first) return false;
  return closing.test(first) || opening.test(last) || (alphanumeric.test(last) && alphanumeric.test(first));
}

/**
 * Chinese and Japanese have no spaces: a line may break between any two characters, except
 * before closing punctuation or after an opening bracket. A space survives only between two
 * alphabetic words ("iPhone 15"), at the end of the first.
 */
function tokenizeUnspaced(clean: string): string[] {
  const chars = Array.from(clean);
  const tokens: string[] = [];
  chars.forEach((char, i) => {
    const last = tokens.at(-1);
    if (char === ' ') {
      if (last !== undefined && alphanumeric.test(chars[i - 1] ?? '') && alphanumeric.test(chars[i + 1] ?? '')) tokens[tokens.length - 1] = `${last} `;
      return;
    }
    if (last !== undefined && gluedUnspaced(last, char)) tokens[tokens.length - 1] = last + char;
    else tokens.push(char);
  });
  return tokens;
}

const closers = `["'”’»)\\]]*`;
export const sentenceEnd = new RegExp(`[.?!…。？！]${closers}$`, 'u');
export const clauseEnd = new RegExp(`[,;:，、；：—–]${closers}$`, 'u');
/** Titles, abbreviations and initials whose period does not end a sentence. */
const abbreviation = /^(mr|mrs|ms|dr|prof|st|sr|sra|srta|jr|vs|e\.g|i\.e|approx|núm|pág|ud|uds)\.$/iu;
/** "F." in "John F. Kennedy"; "I." is left out, as it usually ends a sentence ("so do I."). */
const initial = /^(?!I\.)\p{Lu}\.$/u;

export function endsSentence(word: string): boolean {
  return sentenceEnd.test(word) && !abbreviation.test(word) && !initial.test(word);
}

/** Capitalised: the first letter (after opening quotes or ¿ ¡) is upper case. */
export function isCapitalised(word: string): boolean {
  const letter = /\p{L}/u.exec(word)?.[0];
  return letter !== undefined && letter !== letter.toLowerCase();
}

/**
 * True between two words of one name ("Mount Everest", "John F. Kennedy"): both capitalised,
 * and no punctuation other than an initial's period in between.
 */
export function insideName(before: string, after: string): boolean {
  if (!isCapitalised(before) || !isCapitalised(after)) return false;
  if (/[\p{L}\p{N}]$/u.test(before)) return true;
  return initial.test(before) || abbreviation.test(before);
}

/** Words a new line or cue may start with: a clause starts here (EN/ES/FR/DE/IT/PT). */
const conjunctions = new Set(
  [
    'and', 'but', 'or', 'nor', 'so', 'yet', 'because', 'although', 'though', 'while', 'when', 'whereas', 'if', 'unless',
    'that', 'which', 'who', 'where', 'since', 'until', 'than',
    'y', 'e', 'o', 'u', 'pero', 'sino', 'que', 'porque', 'aunque', 'cuando', 'si', 'mientras', 'donde', 'como', 'ni', 'pues',
    'et', 'ou', 'mais', 'donc', 'car', 'qui', 'quand', 'lorsque', 'comme', 'puisque',
    'und', 'oder', 'aber', 'denn', 'sondern', 'dass', 'weil', 'wenn', 'als', 'ob', 'obwohl', 'während',
    'ed', 'ma', 'però', 'che', 'perché', 'se', 'mentre', 'mas', 'embora', 'enquanto',
  ],
);

/** Words that belong with the next one (articles, prepositions, possessives): never end a line on them. */
const leaning = new Set(
  [
    'a', 'an', 'the', 'of', 'to', 'in', 'on', 'at', 'for', 'with', 'from', 'by', 'my', 'your', 'his', 'her', 'our', 'their', 'its', 'this',
    'el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'de', 'del', 'al', 'en', 'con', 'por', 'para', 'mi', 'tu', 'su', 'sus', 'mis', 'tus', 'lo', 'se', 'me', 'te', 'nos',
    'le', 'les', 'des', 'du', 'au', 'aux', 'une', 'der', 'die', 'das', 'dem', 'den', 'ein', 'eine', 'il', 'gli', 'uno', 'do', 'da', 'dos', 'das', 'um', 'uma',
  ],
);

const bare = (word: string) => word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');

export function isConjunction(word: string): boolean {
  return conjunctions.has(bare(word));
}

export function leansForward(word: string): boolean {
  return leaning.has(bare(word)) && /[\p{L}\p{N}]$/u.test(word);
}

/**
 * Cost of cutting (a line or a cue) between `before` and `after`: negative where a reader
 * expects a pause, large where the cut would split a name or a protected phrase.
 */
export function boundaryCost(before: string, after: string, locked: boolean): number {
  if (locked || insideName(before, after)) return UNBREAKABLE;
  if (endsSentence(before)) return -1;
  if (clauseEnd.test(before)) return -0.7;
  let cost = 0;
  if (isConjunction(after)) cost -= 0.4;
  if (leansForward(before)) cost += 0.6;
  return cost;
}

/** High enough that it is only paid when there is no other way to fit the text. */
export const UNBREAKABLE = 1000;

/**
 * Marks the boundaries inside protected phrases (glossary terms): `locked[i]` is true when the
 * cut between token i-1 and token i would split one. Matching ignores case and edge punctuation.
 */
export function lockedBoundaries(tokens: readonly string[], phrases: readonly string[]): boolean[] {
  const locked = tokens.map(() => false);
  const words = tokens.map(bare);
  for (const phrase of phrases) {
    const parts = phrase.split(/\s+/).map(bare).filter(Boolean);
    if (parts.length < 2) continue;
    for (let i = 0; i + parts.length <= words.length; i++) {
      if (parts.every((part, j) => words[i + j] === part)) for (let j = 1; j < parts.length; j++) locked[i + j] = true;
    }
  }
  return locked;
}

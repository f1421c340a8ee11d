import { AppError, findLanguage, type Glossary } from '@babelfish/core';

/**
 * A job's glossary as the API receives it, validated and normalised:
 * `{ "terms": { "country": "nación" }, "byLanguage": { "fr": { "country": "patrie" } }, "doNotTranslate": ["Babelfish"] }`.
 * Limits keep a job row small and the per-sentence matching cheap.
 */

export const glossaryLimits = { entries: 500, termChars: 100, translationChars: 200, jsonBytes: 32 * 1024 };

export type GlossaryEntry = { source: string; target: string };

const bad = (message: string) => new AppError('BAD_REQUEST', `Invalid glossary: ${message}`);
// No control characters or line breaks: a term is a phrase on one line.
const printable = /^[^\p{Cc}\p{Cf}\u2028\u2029]+$/u;

function cleanText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw bad(`${what} must be a string`);
  const text = value.replace(/\s+/g, ' ').trim();
  if (!text || !printable.test(text) || !/[\p{L}\p{N}]/u.test(text)) throw bad(`${what} must be printable text with a letter or digit`);
  if (text.length > max) throw bad(`${what} is longer than ${max} characters`);
  return text;
}

function cleanTerms(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`${where} must be an object of term → translation`);
  const terms: Record<string, string> = {};
  for (const [term, translation] of Object.entries(value as Record<string, unknown>)) {
    // Assigning "__proto__" would change the object's prototype instead of adding a term.
    if (term.trim() === '__proto__') throw bad(`${where} cannot have a term named "__proto__"`);
    terms[cleanText(term, `${where} term "${term.slice(0, 40)}"`, glossaryLimits.termChars)] = cleanText(
      translation,
      `${where}["${term.slice(0, 40)}"]`,
      glossaryLimits.translationChars,
    );
  }
  return terms;
}

/** Accepts an object or its JSON text (multipart fields are strings); throws BAD_REQUEST. */
export function parseGlossary(input: unknown): Glossary {
  let value = input;
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > glossaryLimits.jsonBytes) throw bad(`it is larger than ${glossaryLimits.jsonBytes} bytes`);
    try {
      value = JSON.parse(input);
    } catch {
      throw bad('it is not valid JSON');
    }
  } else if (Buffer.byteLength(JSON.stringify(input ?? null), 'utf8') > glossaryLimits.jsonBytes) {
    throw bad(`it is larger than ${glossaryLimits.jsonBytes} bytes`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('send an object with terms, byLanguage and/or doNotTranslate');
  const { terms, byLanguage, doNotTranslate, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw bad(`unknown field(s) ${unknown.join(', ')}`);

  const glossary: Glossary = { terms: cleanTerms(terms, 'terms'), byLanguage: {}, doNotTranslate: [] };
  if (byLanguage !== undefined && byLanguage !== null) {
    if (typeof byLanguage !== 'object' || Array.isArray(byLanguage)) throw bad('byLanguage must map language codes to terms');
    for (const [code, languageTerms] of Object.entries(byLanguage as Record<string, unknown>)) {
      const language = findLanguage(code);
      if (!language) throw bad(`byLanguage has an unknown language "${code.slice(0, 10)}"`);
      glossary.byLanguage[language.code] = cleanTerms(languageTerms, `byLanguage.${language.code}`);
    }
  }
  if (doNotTranslate !== undefined && doNotTranslate !== null) {
    if (!Array.isArray(doNotTranslate)) throw bad('doNotTranslate must be a list of terms');
    glossary.doNotTranslate = [...new Set(doNotTranslate.map((term, i) => cleanText(term, `doNotTranslate[${i}]`, glossaryLimits.termChars)))];
  }
  const count =
    Object.keys(glossary.terms).length +
    Object.values(glossary.byLanguage).reduce((sum, languageTerms) => sum + Object.keys(languageTerms).length, 0) +
    glossary.doNotTranslate.length;
  if (count > glossaryLimits.entries) throw bad(`it has ${count} entries; the limit is ${glossaryLimits.entries}`);
  return glossary;
}

export function isGlossaryEmpty(glossary: Glossary | undefined): boolean {
  return !glossary || (glossaryEntries(glossary, '').length === 0 && Object.keys(glossary.byLanguage).length === 0);
}

/**
 * The entries that apply to one target language: the shared terms, that language's overrides,
 * and every do-not-translate term as a term that translates to itself.
 */
export function glossaryEntries(glossary: Glossary | undefined, targetLanguage: string): GlossaryEntry[] {
  if (!glossary) return [];
  const merged = new Map<string, GlossaryEntry>();
  const add = (source: string, target: string) => merged.set(source.toLowerCase(), { source, target });
  for (const [source, target] of Object.entries(glossary.terms)) add(source, target);
  for (const [source, target] of Object.entries(glossary.byLanguage[targetLanguage] ?? {})) add(source, target);
  for (const term of glossary.doNotTranslate) add(term, term);
  return [...merged.values()];
}

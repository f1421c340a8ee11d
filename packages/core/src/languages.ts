import { AppError } from './errors';
import { languageRecords, type LanguageRecord } from './languages-data';

/**
 * The language table (languages-data.ts) with each naming scheme the pipeline needs, and lookups
 * that accept any of them: the public code (BCP-47), ISO 639-1, ISO 639-2/B and /T, ISO 639-3,
 * a FLORES-200 code, and common older forms ('zh', 'no', 'iw', 'zh-TW', 'pt-BR').
 */

export type TextDirection = 'ltr' | 'rtl';

export type Language = {
  /** The public code (API, file names): the BCP-47 tag, e.g. `de`, `zh-Hant`, `ckb`. */
  code: string;
  bcp47: string;
  name: string;
  /** The language's name for itself (CLDR), where known. */
  nativeName?: string;
  iso6391?: string;
  /**
   * ISO 639-2/B, what Matroska's Language element takes (`ger`). For a language outside ISO
   * 639-2: its macrolanguage's code, else its ISO 639-3 code, so a container tag always exists.
   */
  iso6392: string;
  /** ISO 639-2/T, what MP4's `mdhd` language takes (`deu`); same fallbacks as iso6392. */
  iso6392T: string;
  iso6393: string;
  /** ISO 15924 script code, e.g. `Latn`, `Arab`, `Hans`. */
  script: string;
  direction: TextDirection;
  /** Whisper's name for the language (`german`); absent where Whisper cannot transcribe it. */
  whisper?: string;
  /** The code in Whisper's `<|xx|>` language token (`de`; `jw` for Javanese). */
  whisperToken?: string;
  /** NLLB-200's FLORES-200 code (`deu_Latn`); absent where NLLB does not know the language. */
  nllb?: string;
  /** What Apertium mode names use for the language (ISO 639-3). */
  apertium: string;
};

/** Scripts written right to left (ISO 15924), of living languages. */
const rightToLeftScripts = new Set(['Adlm', 'Arab', 'Hebr', 'Mand', 'Mend', 'Nkoo', 'Rohg', 'Samr', 'Syrc', 'Thaa', 'Yezi']);

export function scriptDirection(script: string): TextDirection {
  return rightToLeftScripts.has(script) ? 'rtl' : 'ltr';
}

function toLanguage(record: LanguageRecord): Language {
  return {
    code: record.bcp47,
    bcp47: record.bcp47,
    name: record.name,
    ...(record.nativeName ? { nativeName: record.nativeName } : {}),
    ...(record.iso6391 ? { iso6391: record.iso6391 } : {}),
    iso6392: record.iso6392B ?? record.iso6393,
    iso6392T: record.iso6392T ?? record.iso6393,
    iso6393: record.iso6393,
    script: record.script,
    direction: scriptDirection(record.script),
    ...(record.whisper ? { whisper: record.whisper, whisperToken: record.whisperToken ?? record.iso6391 ?? record.iso6393 } : {}),
    ...(record.nllb ? { nllb: record.nllb } : {}),
    apertium: record.iso6393,
  };
}

const table: Language[] = languageRecords.map(toLanguage);
const byTag = new Map(table.map((language) => [language.code, language]));

/** Where a language has rows in two scripts, the one its bare code means. */
const defaultScriptRow: Record<string, string> = {
  zh: 'zh-Hans',
  ks: 'ks-Arab',
  ace: 'ace-Latn',
  bjn: 'bjn-Latn',
  knc: 'knc-Latn',
  taq: 'taq-Latn',
};

/** Older or regional forms people (and Whisper) use, each meaning one row. */
const aliases: Record<string, string> = {
  ...defaultScriptRow,
  'zh-cn': 'zh-Hans',
  'zh-sg': 'zh-Hans',
  'zh-tw': 'zh-Hant',
  'zh-hk': 'zh-Hant',
  'zh-mo': 'zh-Hant',
  // Norwegian: NLLB writes Bokmål; Whisper's `no` is the same written form.
  no: 'nb',
  nor: 'nb',
  jw: 'jv', // Whisper's token for Javanese
  iw: 'he', // deprecated ISO 639-1 codes
  in: 'id',
  ji: 'yi',
  mo: 'ro',
  mol: 'ro',
};

/** Every code form, lower-cased → row. Earlier entries win, so the order below is the priority. */
const byCode = new Map<string, Language>();
function index(code: string | undefined, language: Language): void {
  if (code && !byCode.has(code.toLowerCase())) byCode.set(code.toLowerCase(), language);
}
for (const language of table) index(language.code, language);
for (const [alias, tag] of Object.entries(aliases)) index(alias, byTag.get(tag)!);
const ownCodeForms = (record: LanguageRecord) => [record.iso6391, record.iso6393, ...(record.macrolanguage ? [] : [record.iso6392B, record.iso6392T])];
const recordsByTag = new Map(languageRecords.map((record) => [record.bcp47, record]));
for (const tag of Object.values(defaultScriptRow)) for (const code of ownCodeForms(recordsByTag.get(tag)!)) index(code, byTag.get(tag)!);
for (const record of languageRecords) for (const code of ownCodeForms(record)) index(code, byTag.get(record.bcp47)!);
for (const language of table) index(language.nllb, language);
// NLLB's individual-language codes for a macrolanguage's row (arb → ar, pes → fa, zsm → ms).
for (const language of table) index(language.nllb?.split('_')[0], language);

const whisperAliases: Record<string, string> = {
  burmese: 'my',
  valencian: 'ca',
  flemish: 'nl',
  haitian: 'ht',
  letzeburgesch: 'lb',
  pushto: 'ps',
  panjabi: 'pa',
  moldavian: 'ro',
  moldovan: 'ro',
  sinhalese: 'si',
  castilian: 'es',
  mandarin: 'zh-Hans',
};
const byWhisperName = new Map<string, Language>();
for (const language of table) if (language.whisper) byWhisperName.set(language.whisper, language);
for (const [name, tag] of Object.entries(whisperAliases)) byWhisperName.set(name, byTag.get(tag)!);
const byWhisperToken = new Map(table.flatMap((language) => (language.whisperToken ? [[language.whisperToken, language] as const] : [])));

export const supportedLanguages: readonly Language[] = table;

/**
 * The row for a code in any form, case-insensitive. A tag with a region (`pt-BR`, `es-419`,
 * `zh-Hant-TW`) means its language; one whose script differs from the row's (`sr-Latn`, while
 * the table has Serbian in Cyrillic) means nothing, rather than text in the wrong script.
 */
export function findLanguage(code: string): Language | undefined {
  const key = code.trim().toLowerCase();
  const exact = byCode.get(key);
  if (exact) return exact;
  const [primary, second, ...rest] = key.replace(/_/g, '-').split('-');
  if (!primary || second === undefined) return undefined;
  const script = second.length === 4 && /^[a-z]{4}$/.test(second) ? second : undefined;
  if (script) {
    const withScript = byCode.get(`${primary}-${script}`);
    if (withScript) return withScript;
  }
  const region = script ? rest[0] : second;
  const withRegion = region ? byCode.get(`${primary}-${region}`) : undefined; // zh-TW inside zh-Hant-TW…
  const language = withRegion ?? byCode.get(primary);
  if (!language) return undefined;
  return script && language.script.toLowerCase() !== script ? undefined : language;
}

export function getLanguage(code: string): Language {
  const language = findLanguage(code);
  if (!language) {
    const suggestions = searchLanguages(code).slice(0, 3);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((l) => `${l.code} (${l.name})`).join(', ')}?` : '';
    throw new AppError(
      'UNKNOWN_LANGUAGE',
      `Unknown language "${code}": give a BCP-47 or ISO 639 code such as es, de or zh-Hant (${table.length} languages are known)${hint}`,
    );
  }
  return language;
}

/** `english`, and Whisper's other names (`castilian`, `mandarin`…). */
export function languageFromWhisperName(name: string): Language | undefined {
  return byWhisperName.get(name.trim().toLowerCase());
}

/** The row of Whisper's `<|xx|>` token code (`jw` → Javanese). */
export function languageFromWhisperToken(token: string): Language | undefined {
  return byWhisperToken.get(token);
}

/** True for a public code exactly as the table writes it (`zh-Hant`, not `zh-hant` or `zh`). */
export function isLanguageCode(code: string): boolean {
  return byTag.has(code);
}

/** The public code for any accepted form (`ZH` → `zh-Hans`), or the input when unknown. */
export function canonicalLanguageCode(code: string): string {
  return findLanguage(code)?.code ?? code;
}

/**
 * Languages matching what someone types: a code in any form first, then names (English or
 * native) that start with it, then names containing it. Used by the dashboard's picker and
 * for "did you mean" hints.
 */
export function searchLanguages(query: string, languages: readonly Language[] = table): Language[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [...languages];
  const exact = findLanguage(needle);
  const rank = (language: Language): number => {
    if (exact && language.code === exact.code) return 0;
    const codes = [language.code, language.iso6391, language.iso6392, language.iso6392T, language.iso6393, language.nllb];
    if (codes.some((code) => code?.toLowerCase() === needle)) return 1;
    const names = [language.name, language.nativeName ?? ''].map((name) => name.toLowerCase());
    if (names.some((name) => name.startsWith(needle) || name.split(/[\s(-]+/).some((word) => word.startsWith(needle)))) return 2;
    if (names.some((name) => name.includes(needle))) return 3;
    return -1;
  };
  return languages
    .map((language) => ({ language, rank: rank(language) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.language.name.localeCompare(b.language.name))
    .map((entry) => entry.language);
}

import { AppError } from './errors';

/**
 * The languages Babelfish knows, with each naming scheme the pipeline needs:
 * ISO 639-1 (API and file names), ISO 639-2/B (container subtitle tags: ffprobe shows `spa`),
 * Whisper's language name, NLLB-200's FLORES code and Apertium's ISO 639-3 code.
 */
export type Language = {
  code: string;
  name: string;
  iso6392: string;
  whisper: string;
  nllb: string;
  apertium: string;
};

const table: Language[] = [
  { code: 'en', name: 'English', iso6392: 'eng', whisper: 'english', nllb: 'eng_Latn', apertium: 'eng' },
  { code: 'es', name: 'Spanish', iso6392: 'spa', whisper: 'spanish', nllb: 'spa_Latn', apertium: 'spa' },
  { code: 'fr', name: 'French', iso6392: 'fre', whisper: 'french', nllb: 'fra_Latn', apertium: 'fra' },
  { code: 'de', name: 'German', iso6392: 'ger', whisper: 'german', nllb: 'deu_Latn', apertium: 'deu' },
  { code: 'it', name: 'Italian', iso6392: 'ita', whisper: 'italian', nllb: 'ita_Latn', apertium: 'ita' },
  { code: 'pt', name: 'Portuguese', iso6392: 'por', whisper: 'portuguese', nllb: 'por_Latn', apertium: 'por' },
  { code: 'ca', name: 'Catalan', iso6392: 'cat', whisper: 'catalan', nllb: 'cat_Latn', apertium: 'cat' },
  { code: 'gl', name: 'Galician', iso6392: 'glg', whisper: 'galician', nllb: 'glg_Latn', apertium: 'glg' },
  { code: 'nl', name: 'Dutch', iso6392: 'dut', whisper: 'dutch', nllb: 'nld_Latn', apertium: 'nld' },
  { code: 'ru', name: 'Russian', iso6392: 'rus', whisper: 'russian', nllb: 'rus_Cyrl', apertium: 'rus' },
  { code: 'uk', name: 'Ukrainian', iso6392: 'ukr', whisper: 'ukrainian', nllb: 'ukr_Cyrl', apertium: 'ukr' },
  { code: 'pl', name: 'Polish', iso6392: 'pol', whisper: 'polish', nllb: 'pol_Latn', apertium: 'pol' },
  { code: 'zh', name: 'Chinese', iso6392: 'chi', whisper: 'chinese', nllb: 'zho_Hans', apertium: 'zho' },
  { code: 'ja', name: 'Japanese', iso6392: 'jpn', whisper: 'japanese', nllb: 'jpn_Jpan', apertium: 'jpn' },
  { code: 'ko', name: 'Korean', iso6392: 'kor', whisper: 'korean', nllb: 'kor_Hang', apertium: 'kor' },
  { code: 'ar', name: 'Arabic', iso6392: 'ara', whisper: 'arabic', nllb: 'arb_Arab', apertium: 'ara' },
  { code: 'hi', name: 'Hindi', iso6392: 'hin', whisper: 'hindi', nllb: 'hin_Deva', apertium: 'hin' },
  { code: 'tr', name: 'Turkish', iso6392: 'tur', whisper: 'turkish', nllb: 'tur_Latn', apertium: 'tur' },
  { code: 'sv', name: 'Swedish', iso6392: 'swe', whisper: 'swedish', nllb: 'swe_Latn', apertium: 'swe' },
  { code: 'eo', name: 'Esperanto', iso6392: 'epo', whisper: 'esperanto', nllb: 'epo_Latn', apertium: 'epo' },
];

const byCode = new Map(table.map((language) => [language.code, language]));
const byWhisperName = new Map(table.map((language) => [language.whisper, language]));

export const supportedLanguages: readonly Language[] = table;

export function findLanguage(code: string): Language | undefined {
  return byCode.get(code.trim().toLowerCase());
}

export function getLanguage(code: string): Language {
  const language = findLanguage(code);
  if (!language) {
    throw new AppError('UNKNOWN_LANGUAGE', `Unknown language "${code}". Known: ${table.map((l) => l.code).join(', ')}`);
  }
  return language;
}

export function languageFromWhisperName(name: string): Language | undefined {
  return byWhisperName.get(name.toLowerCase());
}

export function isLanguageCode(code: string): boolean {
  return byCode.has(code);
}

import { AppError, findLanguage, type SubtitleRules } from '@babelfish/core';

/**
 * Broadcast defaults (EBU/Netflix-style): two lines of at most 42 characters, at most 17
 * characters per second, on screen 1–7 s, and at least two frames (≈ 83 ms at 24 fps) between
 * cues so a change of subtitle is noticed.
 */
export const defaultSubtitleRules: SubtitleRules = {
  maxCharsPerLine: 42,
  maxLines: 2,
  maxCharsPerSecond: 17,
  minDurationSeconds: 1,
  maxDurationSeconds: 7,
  minGapSeconds: 0.083,
};

/**
 * Each script's own defaults over the broadcast ones (Netflix timed-text style guides), by the
 * language table's ISO 15924 script: 42 characters a line for alphabetic scripts (Latin,
 * Cyrillic, Greek, Arabic, Hebrew…); 16 full-width characters for Chinese (Simplified or
 * Traditional, so Cantonese too) and Korean, 13 for Japanese; reading speed 9 cps for Chinese,
 * 4 for Japanese, 12 for Korean, 17 otherwise.
 */
const scriptDefaults: Record<string, Partial<SubtitleRules>> = {
  Hans: { maxCharsPerLine: 16, maxCharsPerSecond: 9, fullWidthUnits: true },
  Hant: { maxCharsPerLine: 16, maxCharsPerSecond: 9, fullWidthUnits: true },
  Jpan: { maxCharsPerLine: 13, maxCharsPerSecond: 4, fullWidthUnits: true },
  Hang: { maxCharsPerLine: 16, maxCharsPerSecond: 12, fullWidthUnits: true },
};

/** A language's own on top of its script's: English is read at 20 cps. */
const languageDefaults: Record<string, Partial<SubtitleRules>> = {
  en: { maxCharsPerSecond: 20 },
};

/** The defaults for a track in `language`, any code form (the broadcast defaults when none is given or known). */
export function languageRules(language?: string): SubtitleRules {
  const known = language === undefined ? undefined : findLanguage(language);
  return { ...defaultSubtitleRules, ...(known && scriptDefaults[known.script]), ...(known && languageDefaults[known.code]) };
}

type NumericRule = Exclude<keyof SubtitleRules, 'fullWidthUnits'>;

/** What a job may ask for: wide enough for house styles, narrow enough that cues stay readable. */
const bounds: Record<NumericRule, [number, number]> = {
  maxCharsPerLine: [16, 80],
  maxLines: [1, 3],
  maxCharsPerSecond: [8, 40],
  minDurationSeconds: [0.3, 3],
  maxDurationSeconds: [2, 15],
  minGapSeconds: [0, 1],
};

/**
 * A track's rules: the job's choices over its language's defaults (`language` absent: over the
 * broadcast defaults). Throws BAD_REQUEST naming the first bad field.
 */
export function resolveRules(overrides: Partial<Record<keyof SubtitleRules, unknown>> = {}, language?: string): SubtitleRules {
  const rules: SubtitleRules = languageRules(language);
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    // Own keys only: `in` would take "__proto__" or "constructor" for rules.
    if (!Object.hasOwn(bounds, key)) throw new AppError('BAD_REQUEST', `subtitleRules.${key} is not a rule; known: ${Object.keys(bounds).join(', ')}`);
    const name = key as NumericRule;
    const [min, max] = bounds[name];
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
      throw new AppError('BAD_REQUEST', `subtitleRules.${key} must be a number from ${min} to ${max}`);
    }
    if ((name === 'maxCharsPerLine' || name === 'maxLines') && !Number.isInteger(number)) {
      throw new AppError('BAD_REQUEST', `subtitleRules.${key} must be a whole number`);
    }
    rules[name] = number;
  }
  if (rules.minDurationSeconds >= rules.maxDurationSeconds) {
    throw new AppError('BAD_REQUEST', 'subtitleRules.minDurationSeconds must be below maxDurationSeconds');
  }
  // A full cue must be readable within the longest duration, or no timing could satisfy both.
  const fullCue = rules.maxCharsPerLine * rules.maxLines + rules.maxLines - 1;
  if (fullCue / rules.maxCharsPerSecond > rules.maxDurationSeconds) {
    // Overrides checked at submission (on the broadcast defaults) must not fail a job later for
    // one language (longer lines at Japanese reading speed): that language's speed gives way.
    if (language !== undefined && overrides.maxCharsPerSecond === undefined) {
      resolveRules(overrides);
      rules.maxCharsPerSecond = Math.ceil((fullCue / rules.maxDurationSeconds) * 10) / 10;
      return rules;
    }
    throw new AppError('BAD_REQUEST', 'subtitleRules: a full cue cannot be read within maxDurationSeconds at maxCharsPerSecond');
  }
  return rules;
}

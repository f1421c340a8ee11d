import { AppError, type SubtitleRules } from '@babelfish/core';

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

/** What a job may ask for: wide enough for house styles, narrow enough that cues stay readable. */
const bounds: Record<keyof SubtitleRules, [number, number]> = {
  maxCharsPerLine: [16, 80],
  maxLines: [1, 3],
  maxCharsPerSecond: [8, 40],
  minDurationSeconds: [0.3, 3],
  maxDurationSeconds: [2, 15],
  minGapSeconds: [0, 1],
};

/** Defaults overridden by a job's choices; throws BAD_REQUEST naming the first bad field. */
export function resolveRules(overrides: Partial<Record<keyof SubtitleRules, unknown>> = {}): SubtitleRules {
  const rules: SubtitleRules = { ...defaultSubtitleRules };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    // Own keys only: `in` would take "__proto__" or "constructor" for rules.
    if (!Object.hasOwn(bounds, key)) throw new AppError('BAD_REQUEST', `subtitleRules.${key} is not a rule; known: ${Object.keys(bounds).join(', ')}`);
    const name = key as keyof SubtitleRules;
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
    throw new AppError('BAD_REQUEST', 'subtitleRules: a full cue cannot be read within maxDurationSeconds at maxCharsPerSecond');
  }
  return rules;
}

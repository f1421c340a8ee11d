import type { SubtitleRules } from '@babelfish/core';

/**
 * The per-job subtitle rules (the API's `subtitleRules`) as CLI flags, shared by `translate`
 * and `submit`. Values go through as typed: the submission checks them (range, whole numbers)
 * exactly as it checks the API's field, so the CLI has no rules of its own to drift.
 */
const flagRules = {
  'max-line-chars': 'maxCharsPerLine',
  'max-lines': 'maxLines',
  'reading-speed': 'maxCharsPerSecond',
} as const satisfies Record<string, keyof SubtitleRules>;

type RuleFlag = keyof typeof flagRules;

/** For parseArgs' `options`. */
export const subtitleRuleOptions = Object.fromEntries(Object.keys(flagRules).map((flag) => [flag, { type: 'string' as const }])) as Record<RuleFlag, { type: 'string' }>;

export const subtitleRuleUsage = '[--max-line-chars N] [--max-lines N] [--reading-speed CPS]';

/** `{ maxCharsPerLine: "20" }` for `--max-line-chars 20`; undefined when no rule flag was given. */
export function subtitleRulesFromFlags(values: Partial<Record<string, unknown>>): Record<string, string> | undefined {
  const rules: Record<string, string> = {};
  for (const [flag, rule] of Object.entries(flagRules)) {
    const value = values[flag];
    if (typeof value === 'string') rules[rule] = value.trim();
  }
  return Object.keys(rules).length > 0 ? rules : undefined;
}

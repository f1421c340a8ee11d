import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageFromWhisperToken, supportedLanguages } from '@babelfish/core';
import { modelSettings, type ModelSettings } from './model-env';

/**
 * The languages a Whisper model has a `<|xx|>` token for, as table codes: its
 * generation_config.json's `lang_to_id` when the files are installed (99 for whisper-base; 100
 * with Cantonese for large-v3), else the 99 every multilingual Whisper has. Read once per model.
 */

/** Added by large-v3; earlier multilingual models have every other Whisper language. */
const LATER_TOKENS = new Set(['yue']);

const known = new Map<string, string[]>();

export function whisperModelLanguages(modelId: string, settings: ModelSettings = modelSettings()): string[] {
  const key = `${settings.modelsDir}|${settings.cacheDir}|${modelId}`;
  let codes = known.get(key);
  if (!codes) {
    codes = tokensOnDisk(modelId, settings)?.flatMap((token) => languageFromWhisperToken(token)?.code ?? []) ?? defaultLanguages();
    known.set(key, codes);
  }
  return codes;
}

function tokensOnDisk(modelId: string, settings: ModelSettings): string[] | undefined {
  for (const dir of [settings.modelsDir, settings.cacheDir]) {
    if (!dir) continue;
    try {
      const config = JSON.parse(readFileSync(join(dir, modelId, 'generation_config.json'), 'utf8')) as { lang_to_id?: Record<string, number> };
      if (config.lang_to_id) return Object.keys(config.lang_to_id).map((token) => token.replace(/^<\|(.*)\|>$/, '$1'));
    } catch {
      // not in this folder (or unreadable): try the next
    }
  }
  return undefined;
}

function defaultLanguages(): string[] {
  return supportedLanguages.filter((language) => language.whisperToken && !LATER_TOKENS.has(language.whisperToken)).map((language) => language.code);
}

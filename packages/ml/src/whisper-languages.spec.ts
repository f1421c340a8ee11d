import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageFromWhisperToken } from '@babelfish/core';
import { modelsDir } from './test-fixtures';
import { whisperModelLanguages } from './whisper-languages';

/** The language tokens (`<|de|>`…) in a model's tokenizer.json, the file the decoder really uses. */
function languageTokens(modelId: string): string[] {
  const tokenizer = JSON.parse(readFileSync(join(modelsDir, modelId, 'tokenizer.json'), 'utf8')) as { added_tokens: { content: string }[] };
  return tokenizer.added_tokens.flatMap((token) => /^<\|([a-z]{2,3})\|>$/.exec(token.content)?.[1] ?? []);
}

describe('Whisper language tokens and the language table', () => {
  const settings = { modelsDir, cacheDir: '', allowRemote: false };

  it.each(['Xenova/whisper-base', 'Xenova/whisper-tiny'])('every language token of %s has a row, and the model lists them all', (modelId) => {
    const tokens = languageTokens(modelId);
    console.log(`${modelId}: ${tokens.length} language tokens`);
    expect(tokens).toHaveLength(99);
    const codes = tokens.map((token) => languageFromWhisperToken(token)?.code);
    expect(codes).not.toContain(undefined);
    expect(new Set(codes).size).toBe(tokens.length);
    expect([...whisperModelLanguages(modelId, settings)].sort()).toEqual([...(codes as string[])].sort());
    for (const token of tokens) expect(languageFromWhisperToken(token)?.whisper).toBeDefined();
  });

  it('assumes the 99 languages of every multilingual Whisper when the files are not here', () => {
    const languages = whisperModelLanguages('Xenova/whisper-small', settings);
    expect(languages).toHaveLength(99);
    expect(languages).not.toContain('yue');
    expect(languages).toEqual(expect.arrayContaining(['en', 'zh-Hans', 'jv', 'nb', 'haw', 'la']));
  });
});

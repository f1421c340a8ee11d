import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { applyTransformersEnv } from './model-env';
import { segmentWords } from './segmenter';
import { modelsDir, useOfflineModels } from './test-fixtures';
import { ownWhisperText, transformersWhisperText, type TransformersWhisperTokenizer } from './window-words';
import type { WhisperText } from './whisper-pipeline';
import { loadWhisperTokenizer } from './whisper-tokenizer';

/**
 * Words as Whisper's real tokenizer groups them: sub-word tokens carry their own leading
 * spaces, so a segment's text is their concatenation; hyphens, apostrophes and punctuation
 * stay where they were written. Ours and transformers.js' give the same words.
 */
describe('window words with the real Whisper tokenizer', () => {
  let ours: WhisperText;
  let reference: WhisperText;

  beforeAll(async () => {
    useOfflineModels();
    applyTransformersEnv(env);
    reference = transformersWhisperText((await AutoTokenizer.from_pretrained('Xenova/whisper-base', { local_files_only: true })) as unknown as TransformersWhisperTokenizer);
    const tokenizer = loadWhisperTokenizer(join(modelsDir, 'Xenova/whisper-base'));
    ours = ownWhisperText(tokenizer, { endOfText: tokenizer.tokenId('<|endoftext|>')!, timestampBegin: tokenizer.tokenId('<|0.00|>')! });
  });

  const decode = (text: string, words: WhisperText = ours) => {
    const [begin, end] = [ours.tokenId('<|0.00|>')!, ours.tokenId('<|endoftext|>')!];
    const tokens = [begin, ...ours.encode(text), end];
    return words.words({ tokens, tokenTimes: tokens.map((_, i) => i * 0.1) });
  };

  it('keeps hyphens, apostrophes and punctuation inside the words Whisper emits', () => {
    const text = " He was ill-disposed, and I don't think it's John's (fault)...";
    expect(decode(text).map((word) => word.text)).toEqual([' He', ' was', ' ill', '-disposed,', ' and', ' I', " don't", ' think', " it's", " John's", ' (fault', ')...']);
    expect(decode(text)).toEqual(decode(text, reference));
  });

  it('segment text is the words joined as produced: no stray spaces', () => {
    const text = " He was ill-disposed, and I don't think it's John's (fault)... A well-known \"quote\": yes!";
    const [segment, ...rest] = segmentWords(decode(text), { maxSeconds: 60, maxChars: 500, pauseSeconds: 5 });
    expect(rest.length).toBeLessThanOrEqual(1);
    const joined = [segment, ...rest].map((s) => s!.text).join(' ');
    expect(joined).toBe(text.trim());
    expect(joined).not.toMatch(/ -|\( | \)| ,| '/);
  });

  it('keeps a CJK character whose bytes are split across tokens whole, as transformers.js does', () => {
    const text = ' 你好世界，我是学生。 日本語「こんにちは」！ 한국어 문장입니다. ¿Qué tal? «Très bien» 🎉';
    const words = decode(text);
    expect(words.map((word) => word.text).join('')).toBe(text);
    expect(words.some((word) => word.text.includes('\uFFFD'))).toBe(false);
    expect(words).toEqual(decode(text, reference));
  });
});

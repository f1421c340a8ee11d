import { AutoTokenizer, env } from '@huggingface/transformers';
import { applyTransformersEnv } from './model-env';
import { segmentWords } from './segmenter';
import { useOfflineModels } from './test-fixtures';
import { windowWords } from './window-words';
import type { WhisperTokenizer } from './whisper-pipeline';

/**
 * Words as Whisper's real tokenizer groups them: sub-word tokens carry their own leading
 * spaces, so a segment's text is their concatenation; hyphens, apostrophes and punctuation
 * stay where they were written.
 */
describe('windowWords with the real Whisper tokenizer', () => {
  let tokenizer: WhisperTokenizer & { encode(text: string, options: { add_special_tokens: boolean }): number[] };

  beforeAll(async () => {
    useOfflineModels();
    applyTransformersEnv(env);
    tokenizer = (await AutoTokenizer.from_pretrained('Xenova/whisper-base', { local_files_only: true })) as unknown as typeof tokenizer;
  });

  const decode = (text: string) => {
    const [begin, end] = tokenizer.convert_tokens_to_ids(['<|0.00|>', '<|endoftext|>']).map(Number);
    const tokens = [begin!, ...tokenizer.encode(text, { add_special_tokens: false }), end!];
    return windowWords(tokenizer, { tokens, tokenTimes: tokens.map((_, i) => i * 0.1), sumLogprob: 0, noSpeechProb: 0, truncated: false, temperature: 0 });
  };

  it('keeps hyphens, apostrophes and punctuation inside the words Whisper emits', () => {
    const words = decode(" He was ill-disposed, and I don't think it's John's (fault)...");
    expect(words.map((word) => word.text)).toEqual([' He', ' was', ' ill', '-disposed,', ' and', ' I', " don't", ' think', " it's", " John's", ' (fault', ')...']);
  });

  it('segment text is the words joined as produced: no stray spaces', () => {
    const text = " He was ill-disposed, and I don't think it's John's (fault)... A well-known \"quote\": yes!";
    const [segment, ...rest] = segmentWords(decode(text), { maxSeconds: 60, maxChars: 500, pauseSeconds: 5 });
    expect(rest.length).toBeLessThanOrEqual(1);
    const joined = [segment, ...rest].map((s) => s!.text).join(' ');
    expect(joined).toBe(text.trim());
    expect(joined).not.toMatch(/ -|\( | \)| ,| '/);
  });
});

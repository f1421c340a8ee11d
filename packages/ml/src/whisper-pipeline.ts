import type { TimedToken } from './segmenter';
import type { WhisperTokenizer } from './whisper-tokenizer';

/**
 * What the Whisper path needs of a tokenizer: ids ↔ text, special-token ids, and one decoded
 * window's ids and token times grouped into timed words. Ours (whisper-tokenizer.ts with
 * whisper-words.ts) by default; transformers.js' (window-words.ts) for the side-by-side checks.
 */
export type WhisperText = WhisperTokenizer & {
  /** Words of one decoded window, times in seconds from the window start. */
  words(decoded: { tokens: readonly number[]; tokenTimes: readonly number[] }): TimedToken[];
};

/** The id of a special token such as `<|en|>`, or undefined when the vocabulary lacks it. */
export function tokenId(text: WhisperText, token: string): number | undefined {
  return text.tokenId(token);
}

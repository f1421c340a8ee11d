import type { TimedToken } from './segmenter';
import type { DecodedWindow } from './whisper-decoder';
import type { WhisperTokenizer } from './whisper-pipeline';
import { SECONDS_PER_FRAME } from './word-alignment';

/**
 * Words of one decoded window, times in seconds from the window start. Grouping tokens into
 * words (and attaching punctuation, and splitting CJK per character) is the tokenizer's job, so
 * it is left to transformers.js exactly as its pipeline does it.
 */
export function windowWords(tokenizer: WhisperTokenizer, decoded: DecodedWindow): TimedToken[] {
  if (decoded.tokens.length === 0) return [];
  const [, { chunks = [] }] = tokenizer._decode_asr(
    [{ tokens: decoded.tokens, token_timestamps: decoded.tokenTimes.map((time) => Math.round(time * 100) / 100) }],
    { time_precision: SECONDS_PER_FRAME, return_timestamps: 'word', force_full_sequences: false },
  );
  return chunks.map((chunk) => {
    const [start, end] = chunk.timestamp;
    return { text: chunk.text, start, end: end ?? start };
  });
}

import type { TimedToken } from './segmenter';
import type { WhisperText } from './whisper-pipeline';
import type { WhisperTokenizer } from './whisper-tokenizer';
import { groupWords, type WordGroupingVocabulary } from './whisper-words';
import { SECONDS_PER_FRAME } from './word-alignment';

/** One word of transformers.js' ASR decoding, times in seconds from the window start. */
type AsrChunk = { text: string; timestamp: [number, number | null] };

/** The part of transformers.js' Whisper tokenizer the `transformers` text lever uses (pinned version). */
export type TransformersWhisperTokenizer = {
  convert_tokens_to_ids(tokens: string[]): Array<number | bigint | null | undefined>;
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /** The pipeline's own token → words step (internal to transformers.js). */
  _decode_asr(
    sequences: { tokens: number[]; token_timestamps: number[] }[],
    options: { time_precision: number; return_timestamps: 'word'; force_full_sequences: boolean },
  ): [string, { chunks?: AsrChunk[] }];
};

const toWord = (text: string, start: number, end: number | null): TimedToken => ({ text, start, end: end ?? start });
/** Token times as the pipeline rounds them before grouping (0.01 s). */
const centiseconds = (times: readonly number[]) => times.map((time) => Math.round(time * 100) / 100);

/** Our tokenizer with our word grouping (the default). */
export function ownWhisperText(tokenizer: WhisperTokenizer, vocab: WordGroupingVocabulary): WhisperText {
  return {
    ...tokenizer,
    words: ({ tokens, tokenTimes }) =>
      tokens.length === 0 ? [] : groupWords(tokenizer, vocab, tokens, centiseconds(tokenTimes), SECONDS_PER_FRAME).map((word) => toWord(word.text, word.start, word.end)),
  };
}

/** transformers.js' tokenizer and its pipeline's word grouping (the `transformers` lever, and the reference in the specs). */
export function transformersWhisperText(tokenizer: TransformersWhisperTokenizer): WhisperText {
  return {
    decode: (ids, options) => tokenizer.decode([...ids], options),
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    tokenId(token) {
      const id = tokenizer.convert_tokens_to_ids([token])[0];
      return id === null || id === undefined ? undefined : Number(id);
    },
    tokenText: () => undefined,
    words({ tokens, tokenTimes }) {
      if (tokens.length === 0) return [];
      const [, { chunks = [] }] = tokenizer._decode_asr([{ tokens: [...tokens], token_timestamps: centiseconds(tokenTimes) }], {
        time_precision: SECONDS_PER_FRAME,
        return_timestamps: 'word',
        force_full_sequences: false,
      });
      return chunks.map((chunk) => toWord(chunk.text, chunk.timestamp[0], chunk.timestamp[1]));
    },
  };
}

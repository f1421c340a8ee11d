/**
 * The part of transformers.js' Whisper tokenizer we use, typed narrowly. The library's own types
 * are generated from JSDoc and are too loose (or too generic) to be useful under `strict`; this
 * keeps the casting in one place.
 */

/** One word, times in seconds from the window start. */
export type AsrChunk = { text: string; timestamp: [number, number | null] };

export type WhisperTokenizer = {
  convert_tokens_to_ids(tokens: string[]): Array<number | bigint | null | undefined>;
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /**
   * The pipeline's own token → words step (internal to transformers.js, pinned version): groups
   * sub-word tokens into words, per-language, with start/end from the token timings.
   */
  _decode_asr(
    sequences: { tokens: number[]; token_timestamps: number[] }[],
    options: { time_precision: number; return_timestamps: 'word'; force_full_sequences: boolean },
  ): [string, { chunks?: AsrChunk[] }];
};

/** The id of a special token such as `<|en|>`, or undefined when the vocabulary lacks it. */
export function tokenId(tokenizer: WhisperTokenizer, token: string): number | undefined {
  const id = tokenizer.convert_tokens_to_ids([token])[0];
  return id === null || id === undefined ? undefined : Number(id);
}

import type { Tensor } from '@huggingface/transformers';

/**
 * The parts of transformers.js' automatic-speech-recognition pipeline we use, typed narrowly.
 * The library's own types are generated from JSDoc and are too loose (or too generic) to be
 * useful under `strict`; this keeps the casting in one place.
 */

/** One word (with `return_timestamps: 'word'`) or one segment, times in seconds from the input start. */
export type AsrChunk = { text: string; timestamp: [number, number | null] };
export type AsrOutput = { text: string; chunks?: AsrChunk[] };

export type AsrCallOptions = {
  language: string;
  task: 'transcribe' | 'translate';
  return_timestamps: boolean | 'word';
  streamer?: unknown;
};

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

export type WhisperParts = {
  processor: (audio: Float32Array) => Promise<{ input_features: Tensor }>;
  tokenizer: WhisperTokenizer;
  model: { forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>> };
};

export type AsrPipeline = WhisperParts & {
  (audio: Float32Array, options: AsrCallOptions): Promise<AsrOutput>;
  dispose(): Promise<void>;
};

/** The id of a special token such as `<|en|>`, or undefined when the vocabulary lacks it. */
export function tokenId(tokenizer: WhisperTokenizer, token: string): number | undefined {
  const id = tokenizer.convert_tokens_to_ids([token])[0];
  return id === null || id === undefined ? undefined : Number(id);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';
import { cachedTokenizerParts } from './tokenizer-cache';

/**
 * Whisper's byte-level BPE tokenizer, read from the model's tokenizer.json, with only what the
 * Whisper path needs: ids → text (decode), text → ids (the segment token ids, encode), and the
 * ids of special tokens. Why our own: transformers.js' tokenizer keeps its vocabulary, merges and
 * added-token tries as ~44 MB of JavaScript objects, and loading it means loading transformers.js
 * (60 MB in a thread, more through tsx). Here the vocabulary is one array of strings; the merges
 * are parsed, and their ranks and the reverse vocabulary built, on the first encode() (once per
 * process, for a few hundred segments).
 *
 * Byte-level BPE: every byte is written as one printable character (GPT-2's byte map), tokens
 * are strings of those characters, so decoding is id → string → bytes → UTF-8 (invalid
 * sequences, e.g. a CJK character split across two tokens and decoded alone, become U+FFFD).
 */
export type WhisperTokenizer = {
  /** Text of these ids: special tokens as written (`<|0.00|>`) unless skipped; spaces cleaned up as the model's config asks. */
  decode(ids: readonly number[], options?: { skip_special_tokens?: boolean }): string;
  /** Ids of ordinary text (no special tokens added). */
  encode(text: string): number[];
  /** The id of a special token such as `<|en|>`, or undefined when the vocabulary lacks it. */
  tokenId(token: string): number | undefined;
  /** The text of one id as the vocabulary writes it (byte-map characters for ordinary tokens). */
  tokenText(id: number): string | undefined;
};

type TokenizerJson = {
  model: { type: string; vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens: { id: number; content: string; special: boolean }[];
  pre_tokenizer?: { type?: string } | null;
  decoder?: { type?: string } | null;
};

type TokenizerConfig = { clean_up_tokenization_spaces?: boolean };

/**
 * What the tokenizer is made of, read from tokenizer.json and tokenizer_config.json, or from the
 * compact copy of them that tokenizer-cache.ts keeps (the vocabulary as an array: a quarter of
 * the time or less of tokenizer.json's object of 51,865 keys).
 */
export type TokenizerParts = {
  /** The BPE vocabulary (`model.vocab`) by id; null where an id has none. */
  vocab: (string | null)[];
  /** Added tokens (special ones and the timestamps): [id, content, special]. */
  added: [number, string, boolean][];
  /** The config's `clean_up_tokenization_spaces`. */
  cleanUp: boolean;
  /** The merges by rank, as "left right"; only encode() needs them, so they are read then. */
  merges: () => string[];
};

/** GPT-2's pre-tokenizer pattern: contractions, letters, digits, other symbols, whitespace runs. */
const PRE_TOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** The tokenizer of a model folder; with `cacheDir`, read from (or first written to) its compact copy there. */
export function loadWhisperTokenizer(modelDir: string, cacheDir?: string): WhisperTokenizer {
  return createByteLevelTokenizer(cachedTokenizerParts(modelDir, cacheDir, readTokenizerParts));
}

/** The parts, from the model's own tokenizer.json and tokenizer_config.json. */
export function readTokenizerParts(modelDir: string): TokenizerParts {
  let json: TokenizerJson;
  let config: TokenizerConfig = {};
  try {
    json = JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
  } catch (error) {
    throw new AppError('MODEL_UNAVAILABLE', `Whisper tokenizer.json could not be read in ${modelDir}: ${(error as Error).message}`);
  }
  try {
    config = JSON.parse(readFileSync(join(modelDir, 'tokenizer_config.json'), 'utf8')) as TokenizerConfig;
  } catch {
    // Optional: without it, no clean-up (the tokenizers library's default for BPE).
  }
  if (json.model?.type !== 'BPE' || json.pre_tokenizer?.type !== 'ByteLevel' || json.decoder?.type !== 'ByteLevel') {
    throw new AppError('MODEL_UNAVAILABLE', `${modelDir}/tokenizer.json is not a byte-level BPE tokenizer (Whisper's)`);
  }
  const vocab: (string | null)[] = [];
  // Object.keys and a plain loop: Object.entries' 51,865 [key, value] arrays took twice as long.
  const entries = json.model.vocab;
  for (const token of Object.keys(entries)) vocab[entries[token]!] = token;
  for (let id = 0; id < vocab.length; id++) vocab[id] ??= null;
  const merges = json.model.merges;
  return {
    vocab,
    added: json.added_tokens.map((token) => [token.id, token.content, token.special === true]),
    cleanUp: config.clean_up_tokenization_spaces === true,
    merges: () => merges.map((merge) => (typeof merge === 'string' ? merge : `${merge[0]} ${merge[1]}`)),
  };
}

function createByteLevelTokenizer(parts: TokenizerParts): WhisperTokenizer {
  const tokens: (string | null | undefined)[] = parts.vocab.slice();
  const special = new Set<number>();
  const added = new Map<string, number>();
  for (const [id, content, isSpecial] of parts.added) {
    tokens[id] = content;
    added.set(content, id);
    if (isSpecial) special.add(id);
  }
  const addedIds = new Set(added.values());
  const { byteOf, charOf } = byteMap();
  const utf8 = new TextDecoder('utf-8');
  const cleanUp = parts.cleanUp;
  // token → id of the BPE vocabulary, built for encode(); until then the few lookups of tokens
  // that are not added tokens (the load asks for <|nospeech|>, which whisper-base calls
  // <|nocaptions|>) search the array instead.
  let vocabIds: Map<string, number> | undefined;
  const vocabId = (token: string): number | undefined => vocabIds?.get(token);
  const searchVocab = (token: string): number | undefined => {
    if (vocabIds) return vocabIds.get(token);
    const id = parts.vocab.indexOf(token);
    return id < 0 ? undefined : id;
  };
  let encoder: ((text: string) => number[]) | undefined;

  const bytesOf = (pieces: string[]): string => {
    let length = 0;
    for (const piece of pieces) length += piece.length;
    const bytes = new Uint8Array(length);
    let k = 0;
    for (const piece of pieces) for (const char of piece) bytes[k++] = byteOf.get(char) ?? 0x3f;
    return utf8.decode(bytes.subarray(0, k));
  };

  return {
    decode(ids, options = {}) {
      // Runs of ordinary tokens become bytes together (a character may span tokens); added tokens are copied as written.
      let text = '';
      let run: string[] = [];
      for (const id of ids) {
        const token = tokens[id];
        if (token === undefined || token === null) continue;
        if (addedIds.has(id)) {
          if (options.skip_special_tokens && special.has(id)) continue;
          text += bytesOf(run) + token;
          run = [];
        } else {
          run.push(token);
        }
      }
      text += bytesOf(run);
      return cleanUp ? cleanUpSpaces(text) : text;
    },
    encode(text) {
      if (!encoder) {
        vocabIds = new Map();
        parts.vocab.forEach((entry, id) => entry !== null && vocabIds!.set(entry, id));
        encoder = createEncoder(vocabId, parts.merges(), added, charOf);
      }
      return encoder(text);
    },
    tokenId(token) {
      return added.get(token) ?? searchVocab(token);
    },
    tokenText(id) {
      return tokens[id] ?? undefined;
    },
  };
}

/**
 * text → ids: split around added tokens written in the text, then GPT-2's pre-tokenizer, each
 * piece's UTF-8 bytes as byte-map characters, merged pairwise by rank (lowest first).
 */
function createEncoder(vocabId: (token: string) => number | undefined, merges: string[], added: Map<string, number>, charOf: string[]): (text: string) => number[] {
  const ranks = new Map<string, number>();
  merges.forEach((merge, rank) => ranks.set(merge, rank));
  const escaped = [...added.keys()].sort((a, b) => b.length - a.length).map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const addedPattern = new RegExp(`(${escaped.join('|')})`);
  const cache = new Map<string, number[]>();
  const utf8 = new TextEncoder();

  const bpe = (piece: string): number[] => {
    const cached = cache.get(piece);
    if (cached) return cached;
    let symbols = Array.from(utf8.encode(piece), (byte) => charOf[byte]!);
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const [left, right] = [symbols[best]!, symbols[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i < symbols.length - 1 && symbols[i] === left && symbols[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else {
          merged.push(symbols[i]!);
        }
      }
      symbols = merged;
    }
    // Every single byte is in the vocabulary, so each symbol has an id.
    const ids = symbols.map((symbol) => vocabId(symbol)!);
    if (cache.size < 50_000) cache.set(piece, ids);
    return ids;
  };

  return (text) => {
    const ids: number[] = [];
    for (const part of text.split(addedPattern)) {
      if (part === '') continue;
      const addedId = added.get(part);
      if (addedId !== undefined) {
        ids.push(addedId);
        continue;
      }
      for (const match of part.matchAll(PRE_TOKENIZE)) ids.push(...bpe(match[0]));
    }
    return ids;
  };
}

/** GPT-2's byte ↔ printable character map: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
function byteMap(): { byteOf: Map<string, number>; charOf: string[] } {
  const charOf: string[] = [];
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    charOf[byte] = String.fromCharCode(printable ? byte : 256 + next++);
  }
  return { byteOf: new Map(charOf.map((char, byte) => [char, byte])), charOf };
}

/** The tokenizers library's `clean_up_tokenization_spaces`: no space before punctuation and English contractions. */
function cleanUpSpaces(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

import type { WhisperTokenizer } from './whisper-tokenizer';

/** One word, times in seconds from the window start; end null for a last token with no time after it. */
export type TimedWord = { text: string; start: number; end: number | null };

export type WordGroupingVocabulary = { endOfText: number; timestampBegin: number };

/** Languages written without spaces between words: split per character (openai/whisper's rule). */
const UNSPACED_LANGUAGES = new Set(['zh', 'ja', 'th', 'lo', 'my', 'yue']);
const PUNCTUATION_ONLY = /^\p{P}+$/u;
/** Attached to the following word when written alone with a leading space (openai/whisper's set). */
const PREPENDED = '"\'“¡¿([{-';
/** Attached to the preceding word (openai/whisper's set). */
const APPENDED = '"\'.。,，!！?？:：”)]}、';
const REPLACEMENT = '\uFFFD';

/**
 * Decoded ids of one window → words with their times, as Whisper's word timestamps are grouped:
 * timestamp tokens split the window into segments; in each, tokens are joined until their bytes
 * make whole characters, a word starts at a token with a leading space or one made of punctuation,
 * and lone punctuation is attached to its neighbour. A word runs from its first token's time to
 * the time of the token after its last (a punctuation mark lasts one time step), and does not run
 * past the timestamp that closes its segment when it starts inside it.
 * `tokenTimes` are the start times of the tokens (same length as `tokens`).
 */
export function groupWords(
  tokenizer: WhisperTokenizer,
  vocab: WordGroupingVocabulary,
  tokens: readonly number[],
  tokenTimes: readonly number[],
  timePrecision: number,
): TimedWord[] {
  const words: TimedWord[] = [];
  let language: string | undefined;
  let segment: number[] = [];
  const close = (segmentEnd: number | undefined) => {
    if (segment.length > 0) words.push(...segmentWords(tokenizer, tokens, tokenTimes, segment, language, segmentEnd, timePrecision));
    segment = [];
  };
  tokens.forEach((token, index) => {
    if (token >= vocab.timestampBegin) {
      close(round2((token - vocab.timestampBegin) * timePrecision));
    } else if (token >= vocab.endOfText) {
      const code = /^<\|([a-z]{2,3})\|>$/.exec(tokenizer.tokenText(token) ?? '')?.[1];
      if (code) language = code;
    } else {
      segment.push(index);
    }
  });
  close(undefined);
  return words;
}

/** The words of one segment; `indices` are positions in `tokens`. */
function segmentWords(
  tokenizer: WhisperTokenizer,
  tokens: readonly number[],
  tokenTimes: readonly number[],
  indices: number[],
  language: string | undefined,
  segmentEnd: number | undefined,
  timePrecision: number,
): TimedWord[] {
  const pieces = UNSPACED_LANGUAGES.has(language ?? '') ? characterPieces(tokenizer, tokens, indices) : spacedPieces(tokenizer, tokens, indices);
  return mergePunctuation(pieces).map(({ text, indices: wordIndices }) => {
    const first = wordIndices[0]!;
    const last = wordIndices[wordIndices.length - 1]!;
    const start = tokenTimes[first]!;
    // Times are kept to 0.01 s, as the pipeline rounds them.
    const next = tokenTimes[last + 1] ?? null;
    // A word ending in a punctuation mark ends at most one time step after the mark starts.
    let end: number | null =
      isPunctuation(tokenizer.decode([tokens[last]!])) ? Math.min(next ?? Number.POSITIVE_INFINITY, round2(tokenTimes[last]! + timePrecision)) : next;
    if (segmentEnd !== undefined && end !== null && start <= segmentEnd && end > segmentEnd) end = segmentEnd;
    return { text, start, end };
  });
}

const round2 = (seconds: number) => Math.round(seconds * 100) / 100;

/** Made only of punctuation marks (any script's: `，`, `」`, `»`), once trimmed. */
function isPunctuation(text: string): boolean {
  return PUNCTUATION_ONLY.test(text.trim());
}

type Piece = { text: string; indices: number[] };

/** Tokens joined until they decode to whole characters (a multi-byte character may span tokens). */
function characterPieces(tokenizer: WhisperTokenizer, tokens: readonly number[], indices: number[]): Piece[] {
  const full = tokenizer.decode(indices.map((i) => tokens[i]!));
  const pieces: Piece[] = [];
  let current: number[] = [];
  let offset = 0;
  for (const index of indices) {
    current.push(index);
    const text = tokenizer.decode(current.map((i) => tokens[i]!));
    const bad = text.indexOf(REPLACEMENT);
    if (bad < 0 || full[offset + bad] === REPLACEMENT) {
      pieces.push({ text, indices: current });
      offset += text.length;
      current = [];
    }
  }
  return pieces;
}

/** Character pieces joined into words: a new word at a leading space or a piece of punctuation. */
function spacedPieces(tokenizer: WhisperTokenizer, tokens: readonly number[], indices: number[]): Piece[] {
  const words: Piece[] = [];
  for (const piece of characterPieces(tokenizer, tokens, indices)) {
    const startsWord = piece.text.startsWith(' ') || isPunctuation(piece.text) || words.length === 0;
    if (startsWord) words.push({ text: piece.text, indices: [...piece.indices] });
    else {
      const last = words[words.length - 1]!;
      last.text += piece.text;
      last.indices.push(...piece.indices);
    }
  }
  return words;
}

/** Opening marks join the next word, closing marks the previous one (as openai/whisper merges them). */
function mergePunctuation(words: Piece[]): Piece[] {
  const list = words.map((word) => ({ text: word.text, indices: [...word.indices] }));
  let j = list.length - 1;
  for (let i = list.length - 2; i >= 0; i--) {
    const word = list[i]!;
    if (word.text.startsWith(' ') && PREPENDED.includes(word.text.trim())) {
      list[j] = { text: word.text + list[j]!.text, indices: [...word.indices, ...list[j]!.indices] };
      list[i] = { text: '', indices: [] };
    } else {
      j = i;
    }
  }
  let i = 0;
  for (let k = 1; k < list.length; k++) {
    const previous = list[i]!;
    const word = list[k]!;
    if (!previous.text.endsWith(' ') && APPENDED.includes(word.text)) {
      list[i] = { text: previous.text + word.text, indices: [...previous.indices, ...word.indices] };
      list[k] = { text: '', indices: [] };
    } else {
      i = k;
    }
  }
  return list.filter((word) => word.text !== '');
}

import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { AppError } from '@babelfish/core';
import { applyRules, sampleToken } from './whisper-rules';
import type { WhisperRuntime, WhisperVocabulary } from './whisper-runtime';
import { alignTokens } from './word-alignment';
import { collectYoungGeneration } from './young-collection';

/**
 * Greedy Whisper decoding of several 30 s windows at once. The windows share each decoder step
 * (one ONNX run for the whole batch): on CPU a step costs little more for four rows than for
 * one, because the weights are read once. A window that reaches end-of-text leaves the batch,
 * so the others do not carry it along.
 *
 * Greedy (temperature 0) is the fast path; a window that failed the quality checks
 * (decode-quality.ts) is decoded again by sampling at a higher temperature, reusing its encoder
 * states. Each chosen token's log-probability is summed on the way (for the confidence check),
 * and the first step's probability of <|nospeech|> is kept (for the silence check).
 */

export type DecodeInput = {
  /** Log-mel features, [80, 3000] (WhisperRuntime.features). */
  features: Float32Array;
  /** Encoder frames (20 ms each) that hold real audio; the rest is padding. */
  frames: number;
};

export type DecodedWindow = {
  /** Generated ids after the prompt (timestamps, text, end-of-text). */
  tokens: number[];
  /** Start time of each token in seconds from the window start (transformers.js' convention). */
  tokenTimes: number[];
  /** Σ log-probability of the generated tokens (end-of-text included), under the filtered logits. */
  sumLogprob: number;
  /** P(<|nospeech|>) right after start-of-transcript (0 when the model has no such token). */
  noSpeechProb: number;
  /** Stopped at the token limit instead of end-of-text. */
  truncated: boolean;
  temperature: number;
};

export type DecodeOptions = {
  onStep?: StepListener;
  /**
   * The windows' encoder states ([B, 1500, d], WhisperRuntime.encode); encoded here when absent,
   * and then let go of as soon as the first step no longer needs them.
   */
  hidden?: Tensor;
  /** 0 (default): greedy. Above 0: sampled from softmax(logits / temperature) with `random`. */
  temperature?: number;
  random?: () => number;
  /** Generated tokens per window (timestamps included); the model's context caps it anyway. */
  maxTokens?: number;
  /** Asked every few tokens whether a window has gone wrong (a loop); true stops it there. */
  stopWhen?: (generated: readonly number[]) => boolean;
};

const STOP_CHECK_EVERY = 8;

/** Called after every decoder step with, per window, the last timestamp emitted (seconds) or -1. */
export type StepListener = (lastTimestamps: number[]) => void;

const SECONDS_PER_TIMESTAMP = 0.02;

export async function decodeWindows(
  runtime: WhisperRuntime,
  windows: readonly DecodeInput[],
  prompt: readonly number[],
  options: DecodeOptions = {},
): Promise<DecodedWindow[]> {
  const { onStep, temperature = 0, random = Math.random } = options;
  const { vocabulary: vocab, decoder } = runtime;
  const layers = vocab.decoderLayers;
  const headsByLayer = new Map<number, number[]>();
  for (const [layer, head] of vocab.alignmentHeads) headsByLayer.set(layer, [...(headsByLayer.get(layer) ?? []), head]);
  const attentionLayers = [...headsByLayer.keys()].map((layer) => `cross_attentions.${layer}`);
  const present = (part: 'decoder' | 'encoder') =>
    Array.from({ length: layers }, (_, l) => [`present.${l}.${part}.key`, `present.${l}.${part}.value`]).flat();
  const layered = runtime.crossAttention;
  const fetchFirst = ['logits', ...present('decoder'), ...(layered ? [] : present('encoder')), ...attentionLayers];
  const fetchNext = ['logits', ...present('decoder'), ...attentionLayers];

  const generated = windows.map((): number[] => []);
  const attention = windows.map((): Float32Array[] => []);
  const lastTimestamps = windows.map(() => -1);
  const sumLogprob = windows.map(() => 0);
  const noSpeechProb = windows.map(() => 0);
  const maxTokens = Math.min(options.maxTokens ?? Number.POSITIVE_INFINITY, vocab.maxLength - prompt.length);
  // A prompt may open with previous text (<|startofprev|> …, the caller's initial prompt); the
  // transcript proper starts at <|startoftranscript|>. The no-speech probability is read there,
  // and word timing looks only at the rows from there on, so previous text changes neither.
  const transcriptStart = Math.max(0, prompt.indexOf(vocab.startOfTranscript));
  let rows = windows.map((_, i) => i); // window index of each batch row
  let hidden: Tensor | undefined = options.hidden ?? (await runtime.encode(windows.map((window) => window.features)));
  const width = hidden.dims[2] ?? 0;
  // With per-layer graphs, the cache is computed here, one layer at a time (only one layer's
  // keys/values are ever held by onnxruntime and JavaScript at once), and fed from the first step.
  let encoderCache: Record<string, Tensor> = layered ? await crossAttentionCache(layered, hidden, layers) : {};
  // Not read again (9 MB for 3 windows): unless the caller keeps them, they can go now.
  if (layered) hidden = undefined;
  let decoderCache: Record<string, Tensor> = emptyCache(vocab, rows.length, 'decoder');
  let inputIds = idsTensor(rows.map(() => [...prompt]));
  let first = true;
  // A decoder reduced to one branch (decoder-branch.ts) has neither input: every step is the same
  // graph, the first one with an empty self-attention cache.
  const merged = decoder.inputNames.includes('use_cache_branch');
  const readsStates = decoder.inputNames.includes('encoder_hidden_states');
  const collectSteps = (runtime.levers?.stepCollection ?? 'young') === 'young';

  for (;;) {
    const feeds: Record<string, Tensor> = {
      input_ids: inputIds,
      // Only the first step reads the hidden states (into the cross-attention cache); later steps
      // use the cache, but the graph still quantizes whatever it is given, so they get one frame.
      ...(readsStates ? { encoder_hidden_states: first && !layered ? hidden! : oneFrame(rows.length, width) } : {}),
      ...(merged ? { use_cache_branch: new Tensor('bool', [!first], [1]) } : {}),
      ...decoderCache,
      ...(first && !layered ? emptyCache(vocab, rows.length, 'encoder') : encoderCache),
    };
    const out = await decoder.run(feeds, first ? fetchFirst : fetchNext);
    const logits = out.logits;
    if (!logits) throw new AppError('INTERNAL', 'Whisper decoder returned no logits');
    const [, positions = 1, vocabSize = 0] = logits.dims;
    keepAttention(out, headsByLayer, rows, positions, first ? transcriptStart : 0, windows, attention);
    if (first && vocab.noSpeech !== undefined) {
      // openai/whisper reads it at the start-of-transcript position, before any rule is applied.
      rows.forEach((window, row) => {
        const offset = (row * positions + transcriptStart) * vocabSize;
        noSpeechProb[window] = softmaxAt((logits.data as Float32Array).subarray(offset, offset + vocabSize), vocab.noSpeech!);
      });
    }

    const finished: boolean[] = [];
    const next: number[][] = [];
    rows.forEach((window, row) => {
      const offset = (row * positions + positions - 1) * vocabSize;
      const row_logits = (logits.data as Float32Array).subarray(offset, offset + vocabSize);
      applyRules(row_logits, generated[window]!, vocab);
      const { token, logprob } = sampleToken(row_logits, temperature, random);
      generated[window]!.push(token);
      sumLogprob[window]! += logprob;
      if (token >= vocab.timestampBegin) lastTimestamps[window] = (token - vocab.timestampBegin) * SECONDS_PER_TIMESTAMP;
      const count = generated[window]!.length;
      const stop = options.stopWhen !== undefined && count % STOP_CHECK_EVERY === 0 && options.stopWhen(generated[window]!);
      finished.push(token === vocab.endOfText || count >= maxTokens || stop);
      next.push([token]);
    });
    onStep?.(lastTimestamps);

    if (first && !layered) {
      encoderCache = renamePast(out, layers, 'encoder');
      hidden = undefined;
    }
    decoderCache = renamePast(out, layers, 'decoder');
    first = false;
    if (finished.every(Boolean)) break;
    if (finished.some(Boolean)) {
      // Drop finished windows from every batched tensor.
      const keep = rows.flatMap((_, row) => (finished[row] ? [] : [row]));
      // In place by default: a copy of the kept rows would hold the batch's cross-attention cache
      // twice (37 MB per window) until the old one is collected.
      const drop = runtime.levers?.decoderBuffers === 'copy' ? takeRows : compactRows;
      encoderCache = mapValues(encoderCache, (tensor) => drop(tensor, keep));
      decoderCache = mapValues(decoderCache, (tensor) => drop(tensor, keep));
      rows = keep.map((row) => rows[row]!);
      inputIds = idsTensor(keep.map((row) => next[row]!));
    } else {
      inputIds = idsTensor(next);
    }
    // Here, once the step's outputs have been read and the caches point at the new ones: the
    // previous step's outputs are dead and young, so a scavenge frees them (young-collection.ts).
    // Any later, and a collection while they are still referenced would promote them to the old
    // generation, which only a full collection frees.
    if (collectSteps) collectYoungGeneration();
  }

  const heads = vocab.alignmentHeads.length;
  return windows.map((window, i) => {
    const tokens = generated[i]!;
    const times = alignTokens(attention[i]!, heads, window.frames, prompt.length - transcriptStart);
    // The last token is never fed back, so it has no attention row: it reuses the previous time.
    const tokenTimes = tokens.map((_, t) => times[Math.min(t, times.length - 1)] ?? 0);
    const truncated = tokens[tokens.length - 1] !== vocab.endOfText;
    return { tokens, tokenTimes, sumLogprob: sumLogprob[i]!, noSpeechProb: noSpeechProb[i]!, truncated, temperature };
  });
}

/** softmax(logits)[index], over the whole row. */
function softmaxAt(logits: Float32Array, index: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Math.exp(logits[index]! - max) / sum;
}

/** Copies the alignment heads' attention rows (positions `from` on, only the frames with audio) for each window. */
function keepAttention(
  out: Record<string, Tensor>,
  headsByLayer: Map<number, number[]>,
  rows: number[],
  positions: number,
  from: number,
  windows: readonly DecodeInput[],
  attention: Float32Array[][],
): void {
  const heads = [...headsByLayer.values()].reduce((sum, list) => sum + list.length, 0);
  rows.forEach((window, row) => {
    const frames = windows[window]!.frames;
    for (let p = from; p < positions; p++) {
      const block = new Float32Array(heads * frames);
      let k = 0;
      for (const [layer, layerHeads] of headsByLayer) {
        const tensor = out[`cross_attentions.${layer}`];
        if (!tensor) throw new AppError('INTERNAL', 'Whisper decoder returned no cross-attention (needed for word timings)');
        const [, headCount = 0, , source = 0] = tensor.dims;
        const data = tensor.data as Float32Array;
        for (const head of layerHeads) {
          const offset = ((row * headCount + head) * positions + p) * source;
          block.set(data.subarray(offset, offset + frames), k * frames);
          k++;
        }
      }
      attention[window]!.push(block);
    }
  });
}

/**
 * What a first decoder step (no past) reads from the encoder: its states, or, with per-layer
 * cross-attention graphs, the keys/values computed from them (and one frame of states, unused;
 * onnxruntime ignores feeds that are not inputs of the graph, as this one and `use_cache_branch`
 * are not of a single-branch decoder).
 */
export async function firstStepEncoderFeeds(runtime: WhisperRuntime, hidden: Tensor): Promise<Record<string, Tensor>> {
  const batch = hidden.dims[0] ?? 1;
  if (!runtime.crossAttention) return { encoder_hidden_states: hidden, ...emptyCache(runtime.vocabulary, batch, 'encoder') };
  return { encoder_hidden_states: oneFrame(batch, hidden.dims[2] ?? 0), ...(await crossAttentionCache(runtime.crossAttention, hidden, runtime.vocabulary.decoderLayers)) };
}

/** past_key_values.L.encoder.* for the batch, from one session per layer (cross-attention-graphs.ts). */
async function crossAttentionCache(sessions: readonly InferenceSession[], hidden: Tensor, layers: number): Promise<Record<string, Tensor>> {
  const cache: Record<string, Tensor> = {};
  for (let l = 0; l < layers; l++) {
    const out = await sessions[l]!.run({ encoder_hidden_states: hidden });
    for (const kind of ['key', 'value']) {
      const tensor = out[`present.${l}.encoder.${kind}`];
      if (!tensor) throw new AppError('INTERNAL', `Whisper cross-attention graph returned no present.${l}.encoder.${kind}`);
      cache[`past_key_values.${l}.encoder.${kind}`] = tensor;
    }
  }
  return cache;
}

function emptyCache(vocab: WhisperVocabulary, batch: number, part: 'decoder' | 'encoder'): Record<string, Tensor> {
  const cache: Record<string, Tensor> = {};
  const dims = [batch, vocab.decoderHeads, 0, vocab.headSize];
  for (let l = 0; l < vocab.decoderLayers; l++) {
    for (const kind of ['key', 'value']) cache[`past_key_values.${l}.${part}.${kind}`] = new Tensor('float32', new Float32Array(0), dims);
  }
  return cache;
}

function renamePast(out: Record<string, Tensor>, layers: number, part: 'decoder' | 'encoder'): Record<string, Tensor> {
  const cache: Record<string, Tensor> = {};
  for (let l = 0; l < layers; l++) {
    for (const kind of ['key', 'value']) {
      const tensor = out[`present.${l}.${part}.${kind}`];
      if (!tensor) throw new AppError('INTERNAL', `Whisper decoder returned no present.${l}.${part}.${kind}`);
      cache[`past_key_values.${l}.${part}.${kind}`] = tensor;
    }
  }
  return cache;
}

function oneFrame(batch: number, width: number): Tensor {
  return new Tensor('float32', new Float32Array(batch * width), [batch, 1, width]);
}

function idsTensor(ids: number[][]): Tensor {
  const width = ids[0]?.length ?? 0;
  return new Tensor('int64', BigInt64Array.from(ids.flat(), (id) => BigInt(id)), [ids.length, width]);
}

/** The given batch rows of a [B, …] float tensor, in that order. */
export function takeRows(tensor: Tensor, rows: readonly number[]): Tensor {
  const [batch = 1, ...rest] = tensor.dims;
  const data = tensor.data as Float32Array;
  const size = data.length / batch;
  const kept = new Float32Array(size * rows.length);
  rows.forEach((row, i) => kept.set(data.subarray(row * size, (row + 1) * size), i * size));
  return new Tensor('float32', kept, [rows.length, ...rest]);
}

/**
 * takeRows without a copy: the kept rows (ascending) are moved to the front of the tensor's own
 * buffer, and a tensor over that front part is returned. The given tensor must not be read again.
 */
export function compactRows(tensor: Tensor, rows: readonly number[]): Tensor {
  const [batch = 1, ...rest] = tensor.dims;
  const data = tensor.data as Float32Array;
  const size = data.length / batch;
  rows.forEach((row, i) => {
    if (row !== i) data.copyWithin(i * size, row * size, (row + 1) * size);
  });
  return new Tensor('float32', data.subarray(0, size * rows.length), [rows.length, ...rest]);
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '@babelfish/core';
import { crossAttentionGraphs, feedCrossAttention } from './cross-attention-graphs';
import { singleDecoderBranch } from './decoder-branch';
import { quantizeOutputProjection } from './decoder-projection';
import { createCachedSession, type CachedSessionResult } from './graph-cache';
import { executionProviders, type ExecutionDevice } from './inference-device';
import { applyTransformersEnv, deviceFor, modelSettings } from './model-env';
import { createLeanEncoder, findEncoderFile, leanEncoderSource } from './lean-encoder';
import { onnxSuffix } from './model-files';
import { createLogMel } from './log-mel';
import { hannWindow, slaneyMelFilters } from './mel-filters';
import type { WhisperText } from './whisper-pipeline';
import { loadWhisperTokenizer } from './whisper-tokenizer';
import { ownWhisperText, transformersWhisperText, type TransformersWhisperTokenizer } from './window-words';
import { DEFAULT_RUNTIME_LEVERS, type WhisperRuntimeLevers } from './whisper-runtime-levers';

/**
 * Whisper's two ONNX sessions, opened with onnxruntime directly, plus the tokenizer and the
 * feature extractor's window and filters. Why not transformers.js' `generate()`: it fetches every
 * output of every run — the encoder's attentions alone are 6 × 8 × 1500 × 1500 floats, 430 MB per
 * window that nobody reads, and fetching only the hidden state makes the encoder 2.2× faster — it
 * decodes one window at a time, re-decodes from the last segment with a new encoder pass when a
 * window's output stops early, and spends a large share of each token in JavaScript logits
 * processing. Our loop (whisper-decoder.ts) lets windows share decoder steps (bench/README.md).
 *
 * Why not its model loader either: it opens every ONNX file of the model with the same options
 * (the encoder with a memory arena and every attention map as a graph output, released again by
 * us), and transformers.js itself costs 150–200 MB more when imported through tsx, as the
 * workers run. Only its tokenizer and feature-extractor settings are taken from it (JSON files),
 * in a worker thread that preloads it without tsx (apps/worker/src/whisper-thread-bootstrap.mjs).
 */

/** The session option that lets onnxruntime fold DequantizeLinear into constants (the `folded` projection). */
export const FOLD_DEQUANTIZED_WEIGHTS = { extra: { session: { disable_quant_qdq: '1' } } } as const;

export type WhisperSessionOptions = {
  /** onnxruntime intra-op threads; 0 = onnxruntime's default (one per core). */
  threads?: number;
  levers?: Partial<WhisperRuntimeLevers>;
};

/** The special token ids and shapes the decoder loop needs, read from the model's own configs. */
export type WhisperVocabulary = {
  startOfTranscript: number;
  endOfText: number;
  noTimestamps: number;
  /** `<|nospeech|>` (`<|nocaptions|>` in older vocabularies); undefined when the model has none. */
  noSpeech?: number;
  /** `<|startofprev|>`, which opens previous text (an initial prompt); undefined when the model has none. */
  startOfPrev?: number;
  /** `<|0.00|>`; every id from here on is a timestamp, 0.02 s apart. */
  timestampBegin: number;
  task: { transcribe: number; translate: number };
  suppress: number[];
  beginSuppress: number[];
  /** Longest decoder sequence, prompt included (448). */
  maxLength: number;
  /** [layer, head] pairs whose cross-attention follows the audio (word timings). */
  alignmentHeads: [number, number][];
  decoderLayers: number;
  decoderHeads: number;
  /** Size of one attention head's key/value vectors. */
  headSize: number;
};

export type WhisperRuntime = {
  tokenizer: WhisperText;
  vocabulary: WhisperVocabulary;
  /** Log-mel features of up to 30 s of audio, padded to Whisper's [80, 3000]. */
  features(audio: Float32Array): Promise<Float32Array>;
  /** Encoder hidden states for a batch of feature blocks: [B, 1500, 512]. */
  encode(features: Float32Array[]): Promise<ort.Tensor>;
  /** The lean encoder session (encode() runs it; exposed for the micro-benchmarks). */
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
  /**
   * One session per decoder layer computing its cross-attention keys/values from the encoder
   * states (cross-attention-graphs.ts); the decoder then reads them as inputs from the first step.
   * Undefined when the decoder computes them itself (first step's outputs).
   */
  crossAttention?: ort.InferenceSession[];
  /** The levers this runtime was opened with (the decoder loop reads `decoderBuffers`). */
  levers?: WhisperRuntimeLevers;
  /** How each session was obtained from the optimised-graph cache (hit, written, off). */
  load: { encoder: CachedSessionResult['cache']; decoder: CachedSessionResult['cache']; seconds: number };
  dispose(): Promise<void>;
};

type GenerationConfig = {
  decoder_start_token_id: number;
  eos_token_id: number;
  no_timestamps_token_id: number;
  task_to_id: { transcribe: number; translate: number };
  suppress_tokens?: number[];
  begin_suppress_tokens?: number[];
  max_length?: number;
  alignment_heads?: [number, number][];
};

type FeatureExtractorParts = {
  window: ArrayLike<number>;
  config: { mel_filters: ArrayLike<number>[]; hop_length: number; n_samples: number; nb_max_frames: number; n_fft: number };
};

type PreprocessorConfig = { feature_size: number; sampling_rate: number; hop_length: number; n_samples: number; nb_max_frames: number; n_fft: number };

type ModelConfig = { decoder_layers: number; decoder_attention_heads: number; d_model: number };

type TextParts = {
  tokenizer: WhisperText;
  extractor?: FeatureExtractorParts | (FeatureExtractorParts & ((audio: Float32Array) => Promise<{ input_features: { data: Float32Array } }>));
};

export async function loadWhisperRuntime(modelId: string, dtype: string, options: WhisperSessionOptions = {}): Promise<WhisperRuntime> {
  const started = performance.now();
  const threads = options.threads ?? 0;
  const levers = { ...DEFAULT_RUNTIME_LEVERS, ...options.levers };
  const device = deviceFor('transcribe');
  const encoderFile = findEncoderFile(modelId, dtype);
  const suffix = onnxSuffix(dtype);
  const decoderFile = encoderFile && suffix !== undefined ? join(dirname(encoderFile), `decoder_model_merged${suffix}.onnx`) : undefined;
  if (!encoderFile || !decoderFile || !existsSync(decoderFile)) {
    throw new AppError('MODEL_UNAVAILABLE', `${modelId} (${dtype}) has no encoder_model/decoder_model_merged ONNX files on disk`);
  }
  const modelDir = dirname(dirname(encoderFile));
  const base = {
    executionProviders: executionProviders(device),
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    // One inference at a time per model (calls are serialised), so inter-op parallelism only adds threads.
    interOpNumThreads: 1,
  } satisfies ort.InferenceSession.SessionOptions;
  // Only CPU graphs are cached (graph-cache.ts says why).
  const cacheDir = levers.graphCache && device === 'cpu' ? modelSettings().cacheDir || undefined : undefined;
  // On CUDA the float fold stays: GPU memory is not what is short there, and onnxruntime's CUDA
  // provider has no MatMulInteger kernel (it would run on the CPU, copying activations across).
  const folded = levers.projection === 'folded' || device === 'cuda';
  const config = readJson<ModelConfig>(join(modelDir, 'config.json'));
  const heads = config.decoder_attention_heads;
  const headSize = config.d_model / heads;
  const layered = !folded && levers.crossAttention === 'layers';
  const single = layered && levers.decoderBranch === 'single';
  const projected = (model: Uint8Array) => quantizeOutputProjection(model, levers.projectionMatmuls) ?? model;
  // Part of the cached graph's name: the joined projection is another graph.
  const matmuls = levers.projectionMatmuls === 'joined' ? '-joined' : '';
  // The decoder fed its cross-attention cache, then (single) reduced to its with-past branch.
  const fed = (model: Uint8Array) => {
    const edited = crossAttentionGraphs(model, heads, headSize) ? feedCrossAttention(projected(model)) : undefined;
    if (!edited) return projected(model);
    return single ? (singleDecoderBranch(edited) ?? edited) : edited;
  };
  const decoderOptions = { ...base, ...(folded ? FOLD_DEQUANTIZED_WEIGHTS : {}), ...(levers.decoderArena ? {} : { enableCpuMemArena: false }) };
  const [encoder, decoder, text, ...crossSessions] = await Promise.all([
    // On CUDA, the fp16 encoder when the model has one (lean-encoder.ts says when it is usable).
    device === 'cuda'
      ? createLeanEncoder(encoderFile, threads, device, findEncoderFile(modelId, 'fp16')).then((session) => ({ session, cache: 'off' as const }))
      : createCachedSession(leanEncoderSource(encoderFile, levers.attentionChunks), { ...base, enableCpuMemArena: false }, cacheDir, levers.graphWeights),
    createCachedSession(
      {
        file: decoderFile,
        variant: folded
          ? 'folded-projection'
          : layered
            ? `int8-projection-two-pass${matmuls}-fed-cross-attention${single ? '-single-branch' : ''}`
            : `int8-projection-two-pass${matmuls}`,
        // Fed only when the per-layer graphs can be built from this export too (else as before).
        edit: folded ? undefined : layered ? fed : projected,
      },
      decoderOptions,
      cacheDir,
      // onnxruntime cannot read back a graph with subgraphs (the merged decoder's If) with its
      // weights beside it (graph-cache.ts), so only the single-branch decoder's are mapped.
      single ? levers.graphWeights : 'inline',
    ),
    levers.text === 'transformers' ? loadTransformersTextParts(modelId) : undefined,
    ...(layered
      ? Array.from({ length: config.decoder_layers }, (_, layer) =>
          createCachedSession(
            {
              file: decoderFile,
              variant: `cross-attention-layer-${layer}`,
              edit: (model) => {
                const graph = crossAttentionGraphs(model, heads, headSize)?.[layer];
                if (!graph) throw new AppError('MODEL_UNAVAILABLE', 'This Whisper decoder export has no cross-attention projections in the expected form');
                return graph;
              },
            },
            // Their threads do not spin after a run: six idle pools spinning would take the cores
            // the decoder's first step needs right after.
            { ...base, enableCpuMemArena: false, extra: { session: { intra_op: { allow_spinning: '0' } } } },
            cacheDir,
            levers.graphWeights,
          ).catch(() => undefined), // another export: the decoder computes the cache itself
        )
      : []),
  ]);
  const generation = readJson<GenerationConfig>(join(modelDir, 'generation_config.json'));
  // Its compact copy in the model cache (tokenizer-cache.ts), on CUDA too: it is the same file.
  const tokenizer = text?.tokenizer ?? loadWhisperTokenizer(modelDir, modelSettings().cacheDir || undefined);
  const vocabulary = readVocabulary(tokenizer, generation, config);
  const parts: TextParts = text ?? { tokenizer: ownWhisperText(tokenizer, vocabulary), extractor: ownExtractorParts(modelDir) };
  const encoderSession = encoder.session;

  return {
    tokenizer: parts.tokenizer,
    vocabulary,
    features: featureExtractor(parts.extractor),
    async encode(features) {
      // One run per window, joined: a batched encoder run was 1.28× slower on CPU than the same
      // windows one by one (the encoder is compute-bound; batching only adds memory traffic).
      const states: ort.Tensor[] = [];
      for (const block of features) {
        const { last_hidden_state } = await encoderSession.run({ input_features: new ort.Tensor('float32', block, [1, 80, block.length / 80]) }, ['last_hidden_state']);
        if (!last_hidden_state) throw new AppError('INTERNAL', 'Whisper encoder returned no hidden state');
        states.push(last_hidden_state);
      }
      return states.length === 1 ? states[0]! : joinBatch(states);
    },
    encoder: encoderSession,
    decoder: decoder.session,
    // The decoder reads the cache as inputs when its first step no longer outputs it.
    crossAttention:
      layered && crossSessions.every(Boolean) && !decoder.session.outputNames.includes('present.0.encoder.key')
        ? crossSessions.map((entry) => (entry as CachedSessionResult).session)
        : undefined,
    levers,
    load: { encoder: encoder.cache, decoder: decoder.cache, seconds: (performance.now() - started) / 1000 },
    async dispose() {
      await Promise.all([encoderSession.release(), decoder.session.release(), ...crossSessions.map((entry) => (entry as CachedSessionResult | undefined)?.session.release())]);
    },
  };
}

/** The feature extractor's window and mel filters, from preprocessor_config.json (mel-filters.ts). */
function ownExtractorParts(modelDir: string): FeatureExtractorParts {
  const config = readJson<PreprocessorConfig>(join(modelDir, 'preprocessor_config.json'));
  return {
    window: hannWindow(config.n_fft),
    config: { ...config, mel_filters: slaneyMelFilters(config.n_fft, config.feature_size, config.sampling_rate) },
  };
}

/**
 * The `transformers` text lever: Whisper's tokenizer (with the word grouping of its pipeline) and
 * feature-extractor settings from transformers.js, which reads them from the model's JSON files.
 */
async function loadTransformersTextParts(modelId: string): Promise<TextParts> {
  const transformers = await import('@huggingface/transformers');
  applyTransformersEnv(transformers.env);
  // The feature extractor alone: AutoProcessor would load a second copy of the tokenizer (+35 MB).
  const [tokenizer, extractor] = await Promise.all([
    transformers.AutoTokenizer.from_pretrained(modelId, { local_files_only: true }),
    transformers.AutoFeatureExtractor.from_pretrained(modelId, { local_files_only: true }),
  ]);
  return { tokenizer: transformersWhisperText(tokenizer as unknown as TransformersWhisperTokenizer), extractor: extractor as unknown as TextParts['extractor'] };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function readVocabulary(tokenizer: { tokenId(token: string): number | undefined }, config: GenerationConfig, model: ModelConfig): WhisperVocabulary {
  const required = (token: string) => {
    const id = tokenizer.tokenId(token);
    if (id === undefined) throw new AppError('MODEL_UNAVAILABLE', `This Whisper model has no ${token} token`);
    return id;
  };
  const noTimestamps = config.no_timestamps_token_id ?? required('<|notimestamps|>');
  return {
    startOfTranscript: config.decoder_start_token_id ?? required('<|startoftranscript|>'),
    endOfText: config.eos_token_id ?? required('<|endoftext|>'),
    noTimestamps,
    noSpeech: tokenizer.tokenId('<|nospeech|>') ?? tokenizer.tokenId('<|nocaptions|>'),
    startOfPrev: tokenizer.tokenId('<|startofprev|>'),
    timestampBegin: noTimestamps + 1,
    task: config.task_to_id ?? { transcribe: required('<|transcribe|>'), translate: required('<|translate|>') },
    suppress: config.suppress_tokens ?? [],
    beginSuppress: config.begin_suppress_tokens ?? [],
    maxLength: config.max_length ?? 448,
    alignmentHeads: config.alignment_heads ?? [],
    decoderLayers: model.decoder_layers,
    decoderHeads: model.decoder_attention_heads,
    headSize: model.d_model / model.decoder_attention_heads,
  };
}

/** [1, …] tensors stacked into one [B, …] tensor. */
function joinBatch(tensors: ort.Tensor[]): ort.Tensor {
  const [, ...rest] = tensors[0]!.dims;
  const size = (tensors[0]!.data as Float32Array).length;
  const data = new Float32Array(size * tensors.length);
  tensors.forEach((tensor, i) => data.set(tensor.data as Float32Array, i * size));
  return new ort.Tensor('float32', data, [tensors.length, ...rest]);
}

/**
 * Log-mel features with our faster implementation (log-mel.ts) of the pipeline's own extractor,
 * fed its window and filters; the pipeline's extractor when its settings are not the expected ones.
 */
function featureExtractor(extractor: TextParts['extractor']): (audio: Float32Array) => Promise<Float32Array> {
  const config = extractor?.config;
  if (!extractor || !config?.mel_filters || config.n_fft !== extractor.window.length || config.n_fft % 2 !== 0) {
    if (typeof extractor !== 'function') throw new AppError('MODEL_UNAVAILABLE', 'This Whisper model has no usable feature extractor settings (preprocessor_config.json)');
    return async (audio) => (await extractor(audio)).input_features.data;
  }
  const logMel = createLogMel({
    window: extractor.window,
    melFilters: config.mel_filters,
    hopLength: config.hop_length,
    samples: config.n_samples,
    frames: config.nb_max_frames,
  });
  return async (audio) => logMel(audio);
}

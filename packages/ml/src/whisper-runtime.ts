import { pipeline, Tensor } from '@huggingface/transformers';
import { AppError } from '@babelfish/core';
import { deviceFor } from './model-env';
import { createLeanEncoder, findEncoderFile } from './lean-encoder';
import { createLogMel } from './log-mel';
import { tokenId, type AsrPipeline } from './whisper-pipeline';

/**
 * Whisper's two ONNX sessions, feature extractor and tokenizer, loaded once through
 * transformers.js but run directly. Why not its `generate()`: it fetches every output of every
 * run — the encoder's attentions alone are 6 × 8 × 1500 × 1500 floats, 430 MB per window that
 * nobody reads, and fetching only the hidden state makes the encoder 2.2× faster — it decodes one
 * window at a time, re-decodes from the last segment with a new encoder pass when a window's
 * output stops early, and spends a large share of each token in JavaScript logits processing.
 * Our loop (whisper-decoder.ts) lets windows share decoder steps (bench/README.md has figures).
 */

/**
 * The q8 decoder's output projection shares its weights with the token embedding, so the
 * exporter left it as DequantizeLinear(int8 weights) → MatMul, and onnxruntime keeps
 * DequantizeLinear out of constant folding by default (it preserves QDQ patterns for quantized
 * kernels). The result: every decoder step re-expanded 51 865 × 512 weights to float, 20 ms of a
 * 30 ms step. This model uses dynamic quantization (MatMulInteger), not QDQ, so turning QDQ
 * handling off lets the dequantization fold once at load: decoder steps 1.9× (one window) to
 * 2.3× (four) faster (bench/README.md), for ~80 MB more resident weights, same arithmetic.
 */
export const FOLD_DEQUANTIZED_WEIGHTS = { extra: { session: { disable_quant_qdq: '1' } } } as const;

export type WhisperSessionOptions = {
  /** onnxruntime intra-op threads; 0 = onnxruntime's default (one per core). */
  threads?: number;
};

type OrtSession = {
  run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>>;
  release?(): Promise<void>;
};

/** The special token ids and shapes the decoder loop needs, read from the model's own configs. */
export type WhisperVocabulary = {
  startOfTranscript: number;
  endOfText: number;
  noTimestamps: number;
  /** `<|nospeech|>` (`<|nocaptions|>` in older vocabularies); undefined when the model has none. */
  noSpeech?: number;
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
  parts: AsrPipeline;
  vocabulary: WhisperVocabulary;
  /** Log-mel features of up to 30 s of audio, padded to Whisper's [80, 3000]. */
  features(audio: Float32Array): Promise<Float32Array>;
  /** Encoder hidden states for a batch of feature blocks: [B, 1500, 512]. */
  encode(features: Float32Array[]): Promise<Tensor>;
  decoder: OrtSession;
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
  window: Float64Array;
  config: { mel_filters: number[][]; hop_length: number; n_samples: number; nb_max_frames: number; n_fft: number };
};

type LoadedPipeline = AsrPipeline & {
  processor: AsrPipeline['processor'] & { feature_extractor?: FeatureExtractorParts };
  model: {
    sessions: Record<string, OrtSession>;
    generation_config: GenerationConfig;
    config: { decoder_layers: number; decoder_attention_heads: number; d_model: number };
  };
};

export async function loadWhisperRuntime(modelId: string, dtype: string, options: WhisperSessionOptions = {}): Promise<WhisperRuntime> {
  const threads = options.threads ?? 0;
  const device = deviceFor('transcribe');
  const asr = (await pipeline('automatic-speech-recognition', modelId, {
    dtype: dtype as 'q8',
    device,
    // The files are on disk by now (model-ensure.ts downloads them first), so transformers.js
    // never goes to the network itself: one downloader, one error message, one cache layout.
    local_files_only: true,
    session_options: {
      ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
      // One inference at a time per model (calls are serialised), so inter-op parallelism only adds threads.
      interOpNumThreads: 1,
      ...FOLD_DEQUANTIZED_WEIGHTS,
    },
  })) as unknown as LoadedPipeline;
  const decoder = asr.model.sessions.decoder_model_merged;
  let encoder = asr.model.sessions.model;
  if (!encoder || !decoder) throw new AppError('MODEL_UNAVAILABLE', `${modelId} is not an encoder-decoder Whisper export (merged decoder)`);
  const encoderFile = findEncoderFile(modelId, dtype);
  if (encoderFile) {
    // Replaced by a session without the memory arena (lean-encoder.ts); the pipeline's is freed.
    // On CUDA, the fp16 encoder when the model has one (lean-encoder.ts says when it is usable).
    const lean = (await createLeanEncoder(encoderFile, threads, device, device === 'cuda' ? findEncoderFile(modelId, 'fp16') : undefined)) as unknown as OrtSession;
    await encoder.release?.();
    encoder = lean;
    asr.model.sessions.model = lean; // so that the pipeline's dispose() releases this one
  }
  const vocabulary = readVocabulary(asr);

  return {
    parts: asr,
    vocabulary,
    features: featureExtractor(asr),
    async encode(features) {
      // One run per window, joined: a batched encoder run was 1.28× slower on CPU than the same
      // windows one by one (the encoder is compute-bound; batching only adds memory traffic).
      const states: Tensor[] = [];
      for (const block of features) {
        const { last_hidden_state } = await encoder.run({ input_features: new Tensor('float32', block, [1, 80, block.length / 80]) }, ['last_hidden_state']);
        if (!last_hidden_state) throw new AppError('INTERNAL', 'Whisper encoder returned no hidden state');
        states.push(last_hidden_state);
      }
      return states.length === 1 ? states[0]! : joinBatch(states);
    },
    decoder,
    dispose: () => asr.dispose(),
  };
}

function readVocabulary(asr: LoadedPipeline): WhisperVocabulary {
  const config = asr.model.generation_config;
  const required = (token: string) => {
    const id = tokenId(asr.tokenizer, token);
    if (id === undefined) throw new AppError('MODEL_UNAVAILABLE', `This Whisper model has no ${token} token`);
    return id;
  };
  const noTimestamps = config.no_timestamps_token_id ?? required('<|notimestamps|>');
  return {
    startOfTranscript: config.decoder_start_token_id ?? required('<|startoftranscript|>'),
    endOfText: config.eos_token_id ?? required('<|endoftext|>'),
    noTimestamps,
    noSpeech: tokenId(asr.tokenizer, '<|nospeech|>') ?? tokenId(asr.tokenizer, '<|nocaptions|>'),
    timestampBegin: noTimestamps + 1,
    task: config.task_to_id ?? { transcribe: required('<|transcribe|>'), translate: required('<|translate|>') },
    suppress: config.suppress_tokens ?? [],
    beginSuppress: config.begin_suppress_tokens ?? [],
    maxLength: config.max_length ?? 448,
    alignmentHeads: config.alignment_heads ?? [],
    decoderLayers: asr.model.config.decoder_layers,
    decoderHeads: asr.model.config.decoder_attention_heads,
    headSize: asr.model.config.d_model / asr.model.config.decoder_attention_heads,
  };
}

/** [1, …] tensors stacked into one [B, …] tensor. */
function joinBatch(tensors: Tensor[]): Tensor {
  const [, ...rest] = tensors[0]!.dims;
  const size = (tensors[0]!.data as Float32Array).length;
  const data = new Float32Array(size * tensors.length);
  tensors.forEach((tensor, i) => data.set(tensor.data as Float32Array, i * size));
  return new Tensor('float32', data, [tensors.length, ...rest]);
}

/**
 * Log-mel features with our faster implementation (log-mel.ts) of the pipeline's own extractor,
 * fed its window and filters; the pipeline's extractor when its settings are not the expected ones.
 */
function featureExtractor(asr: LoadedPipeline): (audio: Float32Array) => Promise<Float32Array> {
  const extractor = asr.processor.feature_extractor;
  const config = extractor?.config;
  if (!extractor || !config?.mel_filters || config.n_fft !== extractor.window.length || config.n_fft % 2 !== 0) {
    return async (audio) => (await asr.processor(audio)).input_features.data as Float32Array;
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

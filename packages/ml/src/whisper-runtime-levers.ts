/**
 * How the decoder's output projection (51,865 × 512 weights shared with the token embedding)
 * is computed. `int8` (default): an 8-bit matmul against one shared copy of the 8-bit weights,
 * written into the graph at load (decoder-projection.ts). `folded`: the weights dequantized to
 * float once at load, one copy per decoder branch (disable_quant_qdq; what we did up to
 * 2026-12: the same speed-up over onnxruntime's per-step dequantization, for ~250 MB more).
 */
export type OutputProjection = 'int8' | 'folded';

/** What the runtime may trade between memory, speed and start-up (bench/memory-transcribe.ts measures each). */
export type WhisperRuntimeLevers = {
  projection: OutputProjection;
  /** Keep optimised graphs on disk (graph-cache.ts) in `<cacheDir>/optimized-graphs`. */
  graphCache: boolean;
  /**
   * The cached graphs' weights: `mapped` (in a file beside the graph, memory-mapped: a weight that
   * is read as it is — the token embedding — is resident only where it is read; graph-cache.ts)
   * or `inline` (in the graph file, copied into onnxruntime's memory; up to 2026-12-01).
   */
  graphWeights: 'mapped' | 'inline';
  /**
   * onnxruntime's CPU memory arena for the decoder. The arena keeps the largest buffers it has
   * held — the first step's cross-attention cache of a whole batch (37 MB per window) — on top of
   * the copies handed to JavaScript.
   */
  decoderArena: boolean;
  /** The encoder's self-attention in this many slices of queries (encoder-attention.ts); 1 = as exported. */
  attentionChunks: number;
  /**
   * Whisper's tokenizer, word grouping and feature-extractor settings: `own` (whisper-tokenizer.ts,
   * whisper-words.ts, mel-filters.ts: transformers.js is not loaded in the Whisper thread) or
   * `transformers` (transformers.js' tokenizer and its pipeline's `_decode_asr`).
   */
  text: 'own' | 'transformers';
  /**
   * When a window of a batch finishes, its rows leave the decoder's caches: `reuse` moves the
   * kept rows within the same buffers; `copy` (up to 2026-12-01) copies them into new ones, which
   * holds the batch's cross-attention cache twice until the old copy is collected.
   */
  decoderBuffers: 'reuse' | 'copy';
  /**
   * Where the decoder's cross-attention keys/values come from (CPU, 8-bit projection): `layers`
   * (one small graph per layer, run before the first step; the decoder reads them as inputs:
   * cross-attention-graphs.ts) or `decoder` (its first step outputs them all at once, so they exist
   * twice at its end: onnxruntime's and the copies handed to JavaScript).
   */
  crossAttention: 'layers' | 'decoder';
  /**
   * The merged decoder's two branches (no past: the prompt; with past: one token per step):
   * `single` runs every step on the with-past branch, given a causal mask, with the `If` between
   * them removed (decoder-branch.ts): the same outputs bit for bit, −13 MB resident and −48 MB at
   * the load's peak (bench/README.md, fourth round); `merged` keeps both (up to 2026-12-01). Only
   * with the cross-attention cache from `layers` on the 8-bit projection (the with-past branch
   * reads the cache, it cannot compute it).
   */
  decoderBranch: 'single' | 'merged';
  /**
   * The 8-bit projection's two passes: `joined` stacks them into one MatMulInteger, so
   * onnxruntime pre-packs the 26 MB of weights once (decoder-projection.ts; the same logits bit
   * for bit); `per-pass` runs one MatMulInteger each, and each node pre-packs its own copy (up to
   * 2026-12-01).
   */
  projectionMatmuls: 'joined' | 'per-pass';
  /**
   * After each decoder step: `young` collects the Whisper thread's young generation
   * (young-collection.ts), so the step's dead outputs (JavaScript copies of onnxruntime's logits
   * and self-attention cache) are freed at once; `v8` leaves it to V8, which let up to ~40 MB of
   * them pile up (its external-memory soft limit) before collecting.
   */
  stepCollection: 'young' | 'v8';
  /**
   * The worker's Whisper thread's V8 young generation in MB (its two semi-spaces and the young
   * large-object space: 3 = 1 MB semi-spaces); 0 = V8's default, which grows to 16 MB semi-spaces
   * (32 MB resident) while the features and VAD allocate and stays so until a full collection.
   */
  threadYoungGenerationMb: number;
  /**
   * A batch's encoder states (3 MB per window) once the cross-attention cache is computed from
   * them: `release` lets them go and encodes a window again if it fails the quality checks (one
   * encoder run per failing window, same states to the bit); `keep` holds them for the fallback
   * through the whole decode.
   */
  encoderStates: 'release' | 'keep';
};

export const DEFAULT_RUNTIME_LEVERS: WhisperRuntimeLevers = Object.freeze({ projection: 'int8', graphCache: true, graphWeights: 'mapped', decoderArena: false, attentionChunks: 6, text: 'own', decoderBuffers: 'reuse', crossAttention: 'layers', decoderBranch: 'single', projectionMatmuls: 'joined', stepCollection: 'young', threadYoungGenerationMb: 3, encoderStates: 'release' });

/** The settings up to 2026-12-01, for the benchmarks' side-by-side runs. */
export const PREVIOUS_RUNTIME_LEVERS: WhisperRuntimeLevers = Object.freeze({ projection: 'folded', graphCache: false, graphWeights: 'inline', decoderArena: true, attentionChunks: 1, text: 'transformers', decoderBuffers: 'copy', crossAttention: 'decoder', decoderBranch: 'merged', projectionMatmuls: 'per-pass', stepCollection: 'v8', threadYoungGenerationMb: 0, encoderStates: 'keep' });

import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { findEncoderFile } from '../../packages/ml/src/lean-encoder';
import { FOLD_DEQUANTIZED_WEIGHTS, type WhisperRuntime } from '../../packages/ml/src/whisper-runtime';
import { firstStepEncoderFeeds } from '../../packages/ml/src/whisper-decoder';
import { decodeF32, modelsDir, round, samplePath, SAMPLE_RATE } from './fixtures';
import { DTYPE, MODEL } from './transcribers';

/** Micro-benchmarks of single ONNX runs for bench/transcribe-levers.ts (each alternated, twice). */

type Session = { run(feeds: Record<string, Tensor>, fetches?: string[]): Promise<Record<string, Tensor>> };
const encoderOf = (rt: WhisperRuntime) => rt.encoder as unknown as Session;

async function alternate(a: () => Promise<unknown>, b: () => Promise<unknown>, rounds = 2): Promise<[number, number]> {
  let first = 0;
  let second = 0;
  for (let i = 0; i < rounds; i++) {
    let started = performance.now();
    await a();
    first += performance.now() - started;
    started = performance.now();
    await b();
    second += performance.now() - started;
  }
  return [first / rounds, second / rounds];
}

/**
 * One 30 s window through the encoder file as exported (its six attention maps, 6 × 8 × 1500 ×
 * 1500 floats, are graph outputs, computed and kept whether fetched or not) vs our lean session
 * (graph outputs cut to the hidden state, no memory arena).
 */
export async function encoderOutputs(rt: WhisperRuntime) {
  const file = findEncoderFile(MODEL, DTYPE)!;
  const stock = (await ort.InferenceSession.create(file, { interOpNumThreads: 1 })) as unknown as Session;
  const input = new Tensor('float32', await rt.features(decodeF32(samplePath('jfk.wav'))), [1, 80, 3000]);
  const lean = encoderOf(rt);
  await stock.run({ input_features: input }, ['last_hidden_state']);
  await lean.run({ input_features: input }, ['last_hidden_state']);
  const [stockMs, leanMs] = await alternate(
    () => stock.run({ input_features: input }, ['last_hidden_state']),
    () => lean.run({ input_features: input }, ['last_hidden_state']),
  );
  await (stock as unknown as ort.InferenceSession).release();
  return { stockExportMs: Math.round(stockMs), leanMs: Math.round(leanMs), speedup: round(stockMs / leanMs) };
}

/**
 * Decoder steps with the output projection's weights dequantized on every step (onnxruntime's
 * default for this q8 export) vs folded once at load (FOLD_DEQUANTIZED_WEIGHTS), one window and
 * four windows per step, 30 steps each with a 1500-frame cross-attention cache.
 */
export async function decoderWeightFolding() {
  const file = path.join(modelsDir, MODEL, 'onnx', 'decoder_model_merged_quantized.onnx');
  const result: Record<string, unknown> = {};
  const sessions = {
    perStep: await ort.InferenceSession.create(file, { interOpNumThreads: 1 }),
    folded: await ort.InferenceSession.create(file, { interOpNumThreads: 1, ...FOLD_DEQUANTIZED_WEIGHTS }),
  };
  for (const batch of [1, 4]) {
    const feeds = syntheticStepFeeds(batch);
    const steps = 30;
    const run = (session: ort.InferenceSession) => async () => {
      for (let i = 0; i < steps; i++) await session.run(feeds, ['logits']);
    };
    await run(sessions.perStep)();
    await run(sessions.folded)();
    const [perStep, folded] = await alternate(run(sessions.perStep), run(sessions.folded));
    result[`windowsPerStep${batch}`] = { dequantizedPerStepMs: round(perStep / steps, 1), foldedMs: round(folded / steps, 1), speedup: round(perStep / folded) };
  }
  await sessions.perStep.release();
  await sessions.folded.release();
  return result;
}

/** A decoder step's inputs: one token per row, 20 positions of self-attention cache, 1500 frames of cross-attention cache. */
function syntheticStepFeeds(batch: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: batch }, () => 400n), [batch, 1]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(batch * 512), [batch, 1, 512]),
    use_cache_branch: new ort.Tensor('bool', [true], [1]),
  };
  for (let layer = 0; layer < 6; layer++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${layer}.decoder.${kind}`] = new ort.Tensor('float32', new Float32Array(batch * 8 * 20 * 64).fill(0.01), [batch, 8, 20, 64]);
      feeds[`past_key_values.${layer}.encoder.${kind}`] = new ort.Tensor('float32', new Float32Array(batch * 8 * 1500 * 64).fill(0.01), [batch, 8, 1500, 64]);
    }
  }
  return feeds;
}

/** Four 30 s windows: one batched encoder run vs four runs. */
export async function encoderBatching(rt: WhisperRuntime, audio: Float32Array) {
  const blocks = await Promise.all([0, 1, 2, 3].map((i) => rt.features(audio.subarray(i * 30 * SAMPLE_RATE, (i + 1) * 30 * SAMPLE_RATE))));
  const encoder = encoderOf(rt);
  const batch = new Float32Array(blocks.length * blocks[0]!.length);
  blocks.forEach((block, i) => batch.set(block, i * block.length));
  const [batched, oneByOne] = await alternate(
    () => encoder.run({ input_features: new Tensor('float32', batch, [4, 80, 3000]) }, ['last_hidden_state']),
    async () => {
      for (const block of blocks) await encoder.run({ input_features: new Tensor('float32', block, [1, 80, 3000]) }, ['last_hidden_state']);
    },
  );
  return { batchedMs: Math.round(batched), oneByOneMs: Math.round(oneByOne), batchedVsOneByOne: round(batched / oneByOne) };
}

/** Mean decoder step (after the prompt) fetching every output vs logits, decoder cache and alignment-head layers. */
export async function decoderFetches(rt: WhisperRuntime) {
  const { vocabulary: v } = rt;
  const hidden = await rt.encode([await rt.features(decodeF32(samplePath('jfk.wav')))]);
  const layers = Array.from({ length: v.decoderLayers }, (_, l) => l);
  const names = (part: string) => layers.flatMap((l) => [`present.${l}.${part}.key`, `present.${l}.${part}.value`]);
  const selected = ['logits', ...names('decoder'), ...[...new Set(v.alignmentHeads.map(([l]) => l))].map((l) => `cross_attentions.${l}`)];
  const ids = (tokens: number[]) => new Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [1, tokens.length]);
  const steps = 30;
  const decode = async (fetches?: string[]) => {
    const empty = new Tensor('float32', new Float32Array(0), [1, v.decoderHeads, 0, v.headSize]);
    // The encoder's part as the runtime gives it (its states, or the per-layer cross-attention cache).
    const feeds: Record<string, Tensor> = await firstStepEncoderFeeds(rt, hidden);
    for (const l of layers) for (const kind of ['key', 'value']) feeds[`past_key_values.${l}.decoder.${kind}`] = empty;
    let out = await rt.decoder.run({ ...feeds, input_ids: ids([v.startOfTranscript, 50259, v.task.transcribe]), use_cache_branch: new Tensor('bool', [false], [1]) });
    const cache = (part: string) => Object.fromEntries(layers.flatMap((l) => ['key', 'value'].map((k) => [`past_key_values.${l}.${part}.${k}`, out[`present.${l}.${part}.${k}`]!])));
    const encoderCache = rt.crossAttention ? {} : cache('encoder');
    for (let step = 0; step < steps; step++) {
      const stepFeeds = { ...feeds, ...encoderCache, ...cache('decoder'), input_ids: ids([v.timestampBegin + step]), use_cache_branch: new Tensor('bool', [true], [1]) };
      out = await (fetches ? rt.decoder.run(stepFeeds, fetches) : rt.decoder.run(stepFeeds));
    }
  };
  const [all, lean] = await alternate(() => decode(), () => decode(selected));
  return { allOutputs: round(all / steps, 1), selectedOutputs: round(lean / steps, 1), speedup: round(all / lean) };
}

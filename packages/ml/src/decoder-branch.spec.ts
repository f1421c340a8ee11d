import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { crossAttentionGraphs, feedCrossAttention } from './cross-attention-graphs';
import { singleDecoderBranch } from './decoder-branch';
import { quantizeOutputProjection } from './decoder-projection';
import { decodeSample, modelsDir, useOfflineModels } from './test-fixtures';
import { decodeWindows } from './whisper-decoder';
import { loadWhisperRuntime, type WhisperRuntime } from './whisper-runtime';

/**
 * The decoder reduced to its with-past branch with a causal mask (real whisper-tiny and
 * whisper-base q8 decoders, edited as the runtime loads them: 8-bit projection, cross-attention
 * cache fed from the per-layer graphs): the first step over a 4-token prompt and the steps after
 * it give every output of the merged decoder bit for bit; and the runtime with either setting
 * decodes the same tokens, log-probabilities and word times.
 */
const options = { enableCpuMemArena: false, interOpNumThreads: 1 } as const;
const PROMPTS = [
  [50258n, 50259n, 50359n, 50363n], // start of transcript, English, transcribe, no timestamps
  [50258n, 50262n, 50359n, 50364n], // …, Spanish, transcribe, <|0.00|>
];
const BATCH = PROMPTS.length;

const bits = (tensor: ort.Tensor | undefined) => Buffer.from((tensor!.data as Float32Array).slice().buffer);

describe.each([
  { name: 'whisper-tiny', heads: 6, layers: 4, width: 384 },
  { name: 'whisper-base', heads: 8, layers: 6, width: 512 },
])('one decoder branch ($name q8)', ({ name, heads, layers, width }) => {
  it('gives every output of the merged decoder, bit for bit, on the first step and the next ones', async () => {
    const model = quantizeOutputProjection(readFileSync(join(modelsDir, `Xenova/${name}/onnx/decoder_model_merged_quantized.onnx`)))!;
    const fed = feedCrossAttention(model)!;
    expect(singleDecoderBranch(model)).toBeUndefined(); // the with-past branch cannot compute the cross-attention cache
    const single = singleDecoderBranch(fed);
    expect(single).toBeDefined();
    const [merged, one, ...layerSessions] = await Promise.all([fed, single!, ...crossAttentionGraphs(model, heads, 64)!].map((bytes) => ort.InferenceSession.create(bytes, options)));
    expect(merged!.inputNames).toEqual(expect.arrayContaining(['use_cache_branch', 'encoder_hidden_states']));
    expect(one!.inputNames).toEqual(merged!.inputNames.filter((input) => input !== 'use_cache_branch' && input !== 'encoder_hidden_states'));
    expect(one!.outputNames).toEqual(merged!.outputNames);

    let seed = 5;
    const hidden = new ort.Tensor('float32', Float32Array.from({ length: BATCH * 1500 * width }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4), [BATCH, 1500, width]);
    const encoderCache: Record<string, ort.Tensor> = {};
    for (const [l, session] of layerSessions.entries()) {
      const out = await session.run({ encoder_hidden_states: hidden });
      for (const kind of ['key', 'value']) encoderCache[`past_key_values.${l}.encoder.${kind}`] = out[`present.${l}.encoder.${kind}`]!;
    }
    const selfCache = (out?: ort.InferenceSession.ReturnType) =>
      Object.fromEntries(
        Array.from({ length: layers }, (_, l) =>
          ['key', 'value'].map((kind) => [`past_key_values.${l}.decoder.${kind}`, out ? out[`present.${l}.decoder.${kind}`]! : new ort.Tensor('float32', new Float32Array(0), [BATCH, heads, 0, 64])]),
        ).flat(),
      );
    const steps = [PROMPTS.flat(), [50364n, 50365n], [634n, 1012n], [3309n, 50257n]];
    let expected: ort.InferenceSession.ReturnType | undefined;
    let actual: ort.InferenceSession.ReturnType | undefined;
    const differing: string[] = [];
    for (const [step, ids] of steps.entries()) {
      const inputIds = new ort.Tensor('int64', BigInt64Array.from(ids), [BATCH, ids.length / BATCH]);
      const common = { input_ids: inputIds, ...encoderCache };
      const oneFrame = new ort.Tensor('float32', new Float32Array(BATCH * width), [BATCH, 1, width]);
      expected = await merged!.run({ ...common, ...selfCache(expected), encoder_hidden_states: oneFrame, use_cache_branch: new ort.Tensor('bool', [step > 0], [1]) });
      actual = await one!.run({ ...common, ...selfCache(actual) });
      expect(actual.logits!.dims).toEqual([BATCH, ids.length / BATCH, expected.logits!.dims[2]]);
      differing.push(...merged!.outputNames.filter((output) => !bits(actual![output]).equals(bits(expected![output]))).map((output) => `step ${step + 1}: ${output}`));
    }
    expect(differing).toEqual([]);
    await Promise.all([merged, one, ...layerSessions].map((session) => session!.release()));
  }, 120_000);
});

describe('the runtime with one decoder branch (whisper-base q8)', () => {
  const runtimes: WhisperRuntime[] = [];
  afterAll(() => Promise.all(runtimes.map((runtime) => runtime.dispose())));

  it('decodes jfk.wav to the same tokens, log-probabilities and word times as with both branches, from a fresh and a cached graph', async () => {
    useOfflineModels();
    const load = async (decoderBranch: 'single' | 'merged') => {
      const runtime = await loadWhisperRuntime('Xenova/whisper-base', 'q8', { levers: { decoderBranch } });
      runtimes.push(runtime);
      return runtime;
    };
    const merged = await load('merged');
    const single = await load('single');
    const cached = await load('single');
    expect([merged.load.decoder, single.load.decoder, cached.load.decoder]).toEqual(['written', 'written', 'hit']);
    expect(merged.decoder.inputNames).toContain('use_cache_branch');
    expect(single.decoder.inputNames).not.toContain('use_cache_branch');
    expect(single.decoder.inputNames).not.toContain('encoder_hidden_states');

    const audio = decodeSample('jfk.wav');
    const features = await merged.features(audio);
    const windows = [{ features, frames: Math.ceil(audio.length / 320) }];
    const vocabulary = merged.vocabulary;
    const prompt = [vocabulary.startOfTranscript, 50259, vocabulary.task.transcribe];
    const [expected, ...others] = await Promise.all([merged, single, cached].map((runtime) => decodeWindows(runtime, windows, prompt)));
    expect(expected![0]!.tokens.length).toBeGreaterThan(10);
    expect(merged.tokenizer.decode(expected![0]!.tokens, { skip_special_tokens: true }).toLowerCase()).toContain('ask not what your country can do for you');
    for (const decoded of others) expect(decoded).toEqual(expected);
  }, 240_000);
});

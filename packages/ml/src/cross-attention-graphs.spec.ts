import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { crossAttentionGraphs, feedCrossAttention } from './cross-attention-graphs';
import { quantizeOutputProjection } from './decoder-projection';
import { createCachedSession } from './graph-cache';
import { modelsDir } from './test-fixtures';

/**
 * The cross-attention cache from one graph per layer, and the decoder fed with it (real
 * whisper-tiny q8 decoder, a batch of 2): bit-identical to what the decoder's first step computes
 * and returns itself, and the first step's logits, self-attention cache and cross-attention maps
 * the same to the bit.
 */
const decoderFile = join(modelsDir, 'Xenova/whisper-tiny/onnx/decoder_model_merged_quantized.onnx');
const BATCH = 2;
const HEADS = 6;
const HEAD_SIZE = 64;
const LAYERS = 4;
const options = { enableCpuMemArena: false, interOpNumThreads: 1, intraOpNumThreads: 1 } as const;

const bits = (tensor: ort.Tensor | undefined) => Array.from(new Uint32Array((tensor!.data as Float32Array).slice().buffer));

describe('cross-attention cache per layer', () => {
  it('gives the decoder the same keys/values and the same first step, bit for bit', async () => {
    const model = quantizeOutputProjection(readFileSync(decoderFile))!;
    const graphs = crossAttentionGraphs(model, HEADS, HEAD_SIZE);
    const fed = feedCrossAttention(model);
    expect(graphs).toHaveLength(LAYERS);
    expect(fed).toBeDefined();
    const [original, edited, ...layers] = await Promise.all([model, fed!, ...graphs!].map((bytes) => ort.InferenceSession.create(bytes, options)));
    expect(edited!.outputNames.some((name) => name.includes('.encoder.'))).toBe(false);

    let seed = 11;
    const hidden = new ort.Tensor('float32', Float32Array.from({ length: BATCH * 1500 * 384 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4), [BATCH, 1500, 384]);
    const ids = new ort.Tensor('int64', BigInt64Array.from([50258n, 50259n, 50359n, 50258n, 50262n, 50359n]), [BATCH, 3]);
    const empty = (part: string) =>
      Object.fromEntries(Array.from({ length: LAYERS }, (_, l) => ['key', 'value'].map((kind) => [`past_key_values.${l}.${part}.${kind}`, new ort.Tensor('float32', new Float32Array(0), [BATCH, HEADS, 0, HEAD_SIZE])])).flat());
    const noPast = new ort.Tensor('bool', [false], [1]);
    const expected = await original!.run({ input_ids: ids, encoder_hidden_states: hidden, use_cache_branch: noPast, ...empty('decoder'), ...empty('encoder') });

    const cache: Record<string, ort.Tensor> = {};
    for (const [l, session] of layers.entries()) {
      const out = await session.run({ encoder_hidden_states: hidden });
      for (const kind of ['key', 'value']) {
        expect(bits(out[`present.${l}.encoder.${kind}`])).toEqual(bits(expected[`present.${l}.encoder.${kind}`]));
        cache[`past_key_values.${l}.encoder.${kind}`] = out[`present.${l}.encoder.${kind}`]!;
      }
    }
    const oneFrame = new ort.Tensor('float32', new Float32Array(BATCH * 384), [BATCH, 1, 384]);
    const actual = await edited!.run({ input_ids: ids, encoder_hidden_states: oneFrame, use_cache_branch: noPast, ...empty('decoder'), ...cache });
    for (const name of ['logits', 'present.0.decoder.key', `present.${LAYERS - 1}.decoder.value`, 'cross_attentions.2']) expect(bits(actual[name])).toEqual(bits(expected[name]));
    await Promise.all([original, edited, ...layers].map((session) => session!.release()));
  }, 60_000);

  it('through the optimised-graph cache: the same keys/values and first step as the graphs optimised at load, bit for bit', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-cross-attention-cache-'));
    const model = quantizeOutputProjection(readFileSync(decoderFile))!;
    // The runtime's sources and options (whisper-runtime.ts): the fed decoder and one graph per layer.
    const sources = [
      { file: decoderFile, variant: 'spec-fed-decoder', edit: () => feedCrossAttention(model)! },
      ...Array.from({ length: LAYERS }, (_, layer) => ({ file: decoderFile, variant: `spec-cross-attention-layer-${layer}`, edit: () => crossAttentionGraphs(model, HEADS, HEAD_SIZE)![layer]! })),
    ];
    const layerOptions = { ...options, extra: { session: { intra_op: { allow_spinning: '0' } } } };
    // The fed decoder still has its If: written inline, as the runtime asks for it.
    const open = () => Promise.all(sources.map((source, i) => createCachedSession(source, i === 0 ? options : layerOptions, cacheDir, i === 0 ? 'inline' : 'mapped')));
    const written = await open();
    const hits = await open();
    expect(written.map((entry) => entry.cache)).toEqual(sources.map(() => 'written'));
    expect(hits.map((entry) => entry.cache)).toEqual(sources.map(() => 'hit'));
    // One graph per source, and the weights file beside each but the fed decoder's.
    const files = readdirSync(join(cacheDir, 'optimized-graphs'));
    expect(files.filter((name) => name.endsWith('.onnx'))).toHaveLength(sources.length);
    expect(files.filter((name) => name.endsWith('.data'))).toHaveLength(sources.length - 1);

    let seed = 5;
    const hidden = new ort.Tensor('float32', Float32Array.from({ length: BATCH * 1500 * 384 }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4), [BATCH, 1500, 384]);
    const ids = new ort.Tensor('int64', BigInt64Array.from([50258n, 50259n, 50359n, 50258n, 50262n, 50359n]), [BATCH, 3]);
    const emptyDecoder = Object.fromEntries(
      Array.from({ length: LAYERS }, (_, l) => ['key', 'value'].map((kind) => [`past_key_values.${l}.decoder.${kind}`, new ort.Tensor('float32', new Float32Array(0), [BATCH, HEADS, 0, HEAD_SIZE])])).flat(),
    );
    const oneFrame = new ort.Tensor('float32', new Float32Array(BATCH * 384), [BATCH, 1, 384]);
    const firstStep = async ([decoder, ...layers]: typeof written) => {
      const cache: Record<string, ort.Tensor> = {};
      for (const [l, { session }] of layers.entries()) {
        const out = await session.run({ encoder_hidden_states: hidden });
        for (const kind of ['key', 'value']) cache[`past_key_values.${l}.encoder.${kind}`] = out[`present.${l}.encoder.${kind}`]!;
      }
      const out = await decoder!.session.run({ input_ids: ids, encoder_hidden_states: oneFrame, use_cache_branch: new ort.Tensor('bool', [false], [1]), ...emptyDecoder, ...cache });
      return { ...cache, ...out };
    };
    const [expected, actual] = [await firstStep(written), await firstStep(hits)];
    const names = Object.keys(expected);
    expect(names).toEqual(expect.arrayContaining(['logits', 'past_key_values.0.encoder.key', `past_key_values.${LAYERS - 1}.encoder.value`, 'present.0.decoder.key', 'cross_attentions.2']));
    for (const name of names) expect(bits(actual[name])).toEqual(bits(expected[name]));
    await Promise.all([...written, ...hits].map(({ session }) => session.release()));
  }, 120_000);
});

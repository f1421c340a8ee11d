import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { quantizeOutputProjection } from './decoder-projection';
import { chunkEncoderAttention } from './encoder-attention';
import { cacheKey, createCachedSession } from './graph-cache';
import { leanEncoderSource } from './lean-encoder';
import { keepGraphOutputs } from './onnx-outputs';
import { modelsDir } from './test-fixtures';
import { FOLD_DEQUANTIZED_WEIGHTS } from './whisper-runtime';

/**
 * Our edits of the Whisper graphs (real whisper-tiny q8 files) and the optimised-graph cache:
 * each gives the outputs of the graph as exported, run by onnxruntime.
 */
const onnx = join(modelsDir, 'Xenova/whisper-tiny/onnx');
const encoderFile = join(onnx, 'encoder_model_quantized.onnx');
const decoderFile = join(onnx, 'decoder_model_merged_quantized.onnx');

function randomFeatures(): ort.Tensor {
  let seed = 7;
  const data = Float32Array.from({ length: 80 * 3000 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.8);
  return new ort.Tensor('float32', data, [1, 80, 3000]);
}

async function hiddenState(session: ort.InferenceSession, input: ort.Tensor): Promise<Float32Array> {
  const { last_hidden_state } = await session.run({ input_features: input }, ['last_hidden_state']);
  return last_hidden_state!.data as Float32Array;
}

/** The first decoder step (start of transcript, English, transcribe) over the given encoder states. */
async function firstStepLogits(session: ort.InferenceSession, hidden: Float32Array): Promise<Float32Array> {
  const width = hidden.length / 1500;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from([50258n, 50259n, 50359n]), [1, 3]),
    encoder_hidden_states: new ort.Tensor('float32', hidden, [1, 1500, width]),
    use_cache_branch: new ort.Tensor('bool', [false], [1]),
  };
  const empty = new ort.Tensor('float32', new Float32Array(0), [1, 6, 0, 64]);
  for (const name of session.inputNames.filter((input) => input.startsWith('past_key_values.'))) feeds[name] = empty;
  const { logits } = await session.run(feeds, ['logits']);
  return logits!.data as Float32Array;
}

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i]!)), 0);

describe('Whisper graph edits', () => {
  const input = randomFeatures();
  let lean: ort.InferenceSession;
  let hidden: Float32Array;

  beforeAll(async () => {
    lean = await ort.InferenceSession.create(keepGraphOutputs(readFileSync(encoderFile), new Set(['last_hidden_state'])));
    hidden = await hiddenState(lean, input);
  });
  afterAll(() => lean.release());

  it('encoder attention in query slices: the same hidden state, bit for bit', async () => {
    const leanBytes = keepGraphOutputs(readFileSync(encoderFile), new Set(['last_hidden_state']));
    const chunked = chunkEncoderAttention(leanBytes, 6);
    expect(chunked).toBeDefined();
    const session = await ort.InferenceSession.create(chunked!);
    expect(Buffer.from((await hiddenState(session, input)).buffer)).toEqual(Buffer.from(hidden.buffer));
    await session.release();
    expect(chunkEncoderAttention(leanBytes, 7)).toBeUndefined(); // 1500 frames do not split in 7
    expect(chunkEncoderAttention(readFileSync(decoderFile), 6)).toBeUndefined(); // no encoder attention there
  });

  it('8-bit output projection: the logits of the float-folded projection within 5e-3, and the same best tokens', async () => {
    const folded = await ort.InferenceSession.create(decoderFile, FOLD_DEQUANTIZED_WEIGHTS);
    const edited = quantizeOutputProjection(readFileSync(decoderFile));
    expect(edited).toBeDefined();
    const int8 = await ort.InferenceSession.create(edited!);
    const [expected, actual] = [await firstStepLogits(folded, hidden), await firstStepLogits(int8, hidden)];
    expect(actual.length).toBe(expected.length);
    expect(maxDifference(actual, expected)).toBeLessThan(5e-3); // one pass alone: 0.17–0.26 on whisper-base
    const vocab = expected.length / 3;
    const best = (logits: Float32Array) => [0, 1, 2].map((row) => logits.subarray(row * vocab, (row + 1) * vocab).reduce((top, value, i, all) => (value > all[top]! ? i : top), 0));
    expect(best(actual)).toEqual(best(expected));
    await Promise.all([folded.release(), int8.release()]);
    expect(quantizeOutputProjection(readFileSync(encoderFile))).toBeUndefined(); // no projection to edit
  });

  it.each(['whisper-tiny', 'whisper-base'])('8-bit output projection, both passes in one matmul (%s): the logits of one matmul per pass, bit for bit', async (name) => {
    const file = join(modelsDir, `Xenova/${name}/onnx/decoder_model_merged_quantized.onnx`);
    const perPass = quantizeOutputProjection(readFileSync(file), 'per-pass')!;
    const joined = quantizeOutputProjection(readFileSync(file), 'joined')!;
    const matmuls = (model: Uint8Array) => Buffer.from(model).toString('latin1').split('MatMulInteger').length - 1;
    // The per-pass graph has two more projection matmuls than the joined one (one per pass in each branch, against one per branch).
    expect(matmuls(perPass) - matmuls(joined)).toBe(2);
    const [a, b] = await Promise.all([perPass, joined].map((bytes) => ort.InferenceSession.create(bytes, { enableCpuMemArena: false })));
    const width = name === 'whisper-tiny' ? 384 : 512;
    const heads = name === 'whisper-tiny' ? 6 : 8;
    let seed = 3;
    const states = Float32Array.from({ length: 2 * 1500 * width }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 3);
    const run = async (session: ort.InferenceSession) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from([50258n, 50259n, 50359n, 50258n, 50262n, 50359n]), [2, 3]),
        encoder_hidden_states: new ort.Tensor('float32', states, [2, 1500, width]),
        use_cache_branch: new ort.Tensor('bool', [false], [1]),
      };
      const empty = new ort.Tensor('float32', new Float32Array(0), [2, heads, 0, 64]);
      for (const input of session.inputNames.filter((entry) => entry.startsWith('past_key_values.'))) feeds[input] = empty;
      const { logits } = await session.run(feeds, ['logits']);
      return Buffer.from((logits!.data as Float32Array).buffer);
    };
    const [expected, actual] = [await run(a!), await run(b!)];
    expect(actual.length).toBe(2 * 3 * 51865 * 4);
    expect(actual.equals(expected)).toBe(true);
    await Promise.all([a!.release(), b!.release()]);
  }, 120_000);

  it('the optimised-graph cache writes a graph with subgraphs (the merged decoder) inline: onnxruntime cannot read its weights back from beside it', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-graph-cache-'));
    const options = { interOpNumThreads: 1, enableCpuMemArena: false };
    const source = { file: decoderFile, variant: 'spec-merged' };
    const written = await createCachedSession(source, options, cacheDir, 'mapped');
    expect(written.cache).toBe('written');
    const files = readdirSync(join(cacheDir, 'optimized-graphs'));
    expect(files.filter((name) => name.endsWith('.onnx'))).toHaveLength(1);
    expect(files.filter((name) => !name.endsWith('.onnx'))).toEqual([]); // no weights file, no partial left
    const hit = await createCachedSession(source, options, cacheDir, 'mapped');
    expect(hit.cache).toBe('hit');
    const [a, b] = [await firstStepLogits(written.session, hidden), await firstStepLogits(hit.session, hidden)];
    expect(Buffer.from(b.buffer)).toEqual(Buffer.from(a.buffer));
    await Promise.all([written.session.release(), hit.session.release()]);
  }, 120_000);

  it('the optimised-graph cache: written once, then loaded with optimisation off, same outputs; a damaged file is made again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-graph-cache-'));
    const options = { interOpNumThreads: 1, enableCpuMemArena: false };
    const first = await createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir);
    expect(first.cache).toBe('written');
    const graphs = () => readdirSync(join(cacheDir, 'optimized-graphs')).filter((name) => name.endsWith('.onnx'));
    const [file] = graphs();
    expect(file).toMatch(/^encoder_model_quantized-[0-9a-f]{16}\.onnx$/);
    // Its weights beside it, in a file named after the writer (memory-mapped when it is opened).
    const weights = readdirSync(join(cacheDir, 'optimized-graphs')).filter((name) => name.startsWith(`${file}.`) && name.endsWith('.data'));
    expect(weights).toHaveLength(1);
    expect(statSync(join(cacheDir, 'optimized-graphs', weights[0]!)).size).toBeGreaterThan(5_000_000);
    expect(statSync(join(cacheDir, 'optimized-graphs', file!)).size).toBeLessThan(1_000_000);
    const second = await createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir);
    expect(second.cache).toBe('hit');
    const [a, b] = [await hiddenState(first.session, input), await hiddenState(second.session, input)];
    expect(Buffer.from(b.buffer)).toEqual(Buffer.from(a.buffer));
    expect(Buffer.from(a.buffer)).toEqual(Buffer.from(hidden.buffer));
    // Another edit of the same file is another entry.
    const other = await createCachedSession(leanEncoderSource(encoderFile, 1), options, cacheDir);
    expect(other.cache).toBe('written');
    expect(graphs()).toHaveLength(2);
    expect(readdirSync(join(cacheDir, 'optimized-graphs')).filter((name) => name.endsWith('.partial'))).toEqual([]);

    writeFileSync(join(cacheDir, 'optimized-graphs', file!), 'not a model');
    const rebuilt = await createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir);
    expect(rebuilt.cache).toBe('written');
    expect(Buffer.from((await hiddenState(rebuilt.session, input)).buffer)).toEqual(Buffer.from(hidden.buffer));
    // A graph whose weights file is gone is made again too.
    for (const name of readdirSync(join(cacheDir, 'optimized-graphs')).filter((entry) => entry.startsWith(`${file}.`) && entry.endsWith('.data'))) rmSync(join(cacheDir, 'optimized-graphs', name));
    const again = await createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir);
    expect(again.cache).toBe('written');
    expect(Buffer.from((await hiddenState(again.session, input)).buffer)).toEqual(Buffer.from(hidden.buffer));
    const off = await createCachedSession(leanEncoderSource(encoderFile, 6), options, undefined);
    expect(off.cache).toBe('off');
    await Promise.all([first, second, other, rebuilt, again, off].map(({ session }) => session.release()));
  });

  it('the optimised-graph cache, two writers at once (workers starting together on one cache volume): one graph, one weights file, the same outputs; a dead writer\'s leftovers swept', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-graph-cache-'));
    const options = { interOpNumThreads: 1, enableCpuMemArena: false };
    // What a writer that died half-way an hour ago left: swept when the graph is written.
    const graphName = `encoder_model_quantized-${cacheKey(leanEncoderSource(encoderFile, 6), options)}.onnx`;
    mkdirSync(join(cacheDir, 'optimized-graphs'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const leftover of [`${graphName}.99.1.1.partial`, `${graphName}.99.1.1.data`]) {
      writeFileSync(join(cacheDir, 'optimized-graphs', leftover), 'half-written');
      utimesSync(join(cacheDir, 'optimized-graphs', leftover), hourAgo, hourAgo);
    }
    // Both look before either has written, so both optimise and write; the first to publish wins.
    const writers = await Promise.all([1, 2].map(() => createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir)));
    expect(writers.map((writer) => writer.cache)).toEqual(['written', 'written']);
    const files = readdirSync(join(cacheDir, 'optimized-graphs'));
    expect(files.filter((name) => name.endsWith('.onnx'))).toEqual([graphName]);
    expect(files.filter((name) => name.endsWith('.data'))).toHaveLength(1);
    expect(files.filter((name) => name.includes('.99.1.1.') || name.endsWith('.partial'))).toEqual([]);
    for (const writer of writers) expect(Buffer.from((await hiddenState(writer.session, input)).buffer)).toEqual(Buffer.from(hidden.buffer));
    const later = await createCachedSession(leanEncoderSource(encoderFile, 6), options, cacheDir);
    expect(later.cache).toBe('hit');
    await Promise.all([...writers, later].map(({ session }) => session.release()));
  });
});

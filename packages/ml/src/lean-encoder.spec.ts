import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLeanEncoder } from './lean-encoder';
import { configureModels, modelSettings } from './model-env';
import { encodeModel, type ElemType } from './testing/onnx-writer';
import { textModelDtype } from './translation/text-model';

/** An "encoder" of one Identity node, input_features → last_hidden_state, in the given element type; `width` tells the files apart. */
function identityEncoder(dir: string, name: string, type: ElemType, width: number): string {
  const file = join(dir, name);
  const io = (valueName: string) => ({ name: valueName, type, shape: ['batch', width] });
  writeFileSync(file, encodeModel({ name, inputs: [io('input_features')], outputs: [io('last_hidden_state')], nodes: [{ op: 'Identity', inputs: ['input_features'], outputs: ['last_hidden_state'] }] }));
  return file;
}

describe('fp16 weights on CUDA, where usable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'babelfish-fp16-'));
  const q8 = identityEncoder(dir, 'encoder_model_quantized.onnx', 'float', 4);
  const fp16KeepIo = identityEncoder(dir, 'encoder_model_fp16_keep_io.onnx', 'float', 8);
  const fp16Io = identityEncoder(dir, 'encoder_model_fp16.onnx', 'float16', 16);
  const described = (session: Awaited<ReturnType<typeof createLeanEncoder>>) =>
    [...session.inputMetadata, ...session.outputMetadata].map((value) => (value.isTensor ? `${value.type}[${value.shape.join(',')}]` : 'other'));

  it('the lean encoder takes the fp16 file only when it kept float32 inputs and outputs (the decoder reads float32)', async () => {
    const refused = await createLeanEncoder(q8, 1, 'cpu', fp16Io);
    expect(described(refused)).toEqual(['float32[batch,4]', 'float32[batch,4]']); // the configured file
    await refused.release();
    const taken = await createLeanEncoder(q8, 1, 'cpu', fp16KeepIo);
    expect(described(taken)).toEqual(['float32[batch,8]', 'float32[batch,8]']); // the fp16 file
    await taken.release();
    const plain = await createLeanEncoder(q8, 1);
    expect(described(plain)).toEqual(['float32[batch,4]', 'float32[batch,4]']);
    await plain.release();
  });

  it('text models: q8 on the CPU; fp16 on CUDA only when both fp16 files are on disk', () => {
    const models = join(dir, 'models');
    const modelId = 'Xenova/opus-mt-en-es';
    mkdirSync(join(models, modelId, 'onnx'), { recursive: true });
    writeFileSync(join(models, modelId, 'config.json'), '{}');
    writeFileSync(join(models, modelId, 'onnx', 'encoder_model_quantized.onnx'), '');
    configureModels({ ...modelSettings(), modelsDir: models, cacheDir: join(dir, 'cache'), allowRemote: false });
    expect(textModelDtype(modelId, 'cuda')).toBe('q8');
    writeFileSync(join(models, modelId, 'onnx', 'encoder_model_fp16.onnx'), '');
    expect(textModelDtype(modelId, 'cuda')).toBe('q8'); // the decoder's fp16 file is missing
    writeFileSync(join(models, modelId, 'onnx', 'decoder_model_merged_fp16.onnx'), '');
    expect(textModelDtype(modelId, 'cuda')).toBe('fp16');
    expect(textModelDtype(modelId, 'cpu')).toBe('q8');
  });
});

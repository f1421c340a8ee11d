import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { keepGraphOutputs } from './onnx-outputs';
import { modelsDir } from './test-fixtures';

describe('keepGraphOutputs', () => {
  it('leaves only the wanted outputs of the real Whisper encoder, which still loads and runs', async () => {
    const model = readFileSync(join(modelsDir, 'Xenova/whisper-tiny/onnx/encoder_model_quantized.onnx'));
    const full = await ort.InferenceSession.create(model);
    expect(full.outputNames.length).toBeGreaterThan(1);
    const pruned = await ort.InferenceSession.create(keepGraphOutputs(model, new Set(['last_hidden_state'])));
    expect(pruned.outputNames).toEqual(['last_hidden_state']);
    const input = { input_features: new ort.Tensor('float32', new Float32Array(80 * 3000).fill(-0.5), [1, 80, 3000]) };
    const [a, b] = await Promise.all([full.run(input, ['last_hidden_state']), pruned.run(input)]);
    expect(b.last_hidden_state!.dims).toEqual(a.last_hidden_state!.dims);
    expect([...(b.last_hidden_state!.data as Float32Array).slice(0, 50)]).toEqual([...(a.last_hidden_state!.data as Float32Array).slice(0, 50)]);
    await Promise.all([full.release(), pruned.release()]);
  });
});

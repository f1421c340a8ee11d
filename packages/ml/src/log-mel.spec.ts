import { AutoProcessor, env } from '@huggingface/transformers';
import { createFft, createLogMel } from './log-mel';
import { applyTransformersEnv } from './model-env';
import { decodeSample, useOfflineModels } from './test-fixtures';

describe('log-mel features', () => {
  it('transforms like a direct DFT (400 points = 4·4·5·5)', () => {
    const n = 400;
    const input = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + (i % 7) * 0.1);
    const re = input.slice();
    const im = new Float64Array(n);
    createFft(n)(re, im);
    for (const k of [0, 1, 7, 100, 199, 200, 333]) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < n; j++) {
        a += input[j]! * Math.cos((-2 * Math.PI * j * k) / n);
        b += input[j]! * Math.sin((-2 * Math.PI * j * k) / n);
      }
      expect(re[k]).toBeCloseTo(a, 9);
      expect(im[k]).toBeCloseTo(b, 9);
    }
  });

  it("gives the same features as transformers.js' WhisperFeatureExtractor, for full and short windows", async () => {
    useOfflineModels();
    applyTransformersEnv(env);
    const processor = (await AutoProcessor.from_pretrained('Xenova/whisper-tiny')) as unknown as {
      (audio: Float32Array): Promise<{ input_features: { data: Float32Array } }>;
      feature_extractor: { window: Float64Array; config: { mel_filters: number[][]; hop_length: number; n_samples: number; nb_max_frames: number } };
    };
    const { window, config } = processor.feature_extractor;
    const logMel = createLogMel({ window, melFilters: config.mel_filters, hopLength: config.hop_length, samples: config.n_samples, frames: config.nb_max_frames });
    const jfk = decodeSample('jfk.wav');
    for (const audio of [jfk, jfk.subarray(0, 16_000 * 3), new Float32Array(16_000 * 31).fill(0.01)]) {
      const expected = (await processor(audio)).input_features.data;
      const actual = logMel(audio);
      expect(actual.length).toBe(expected.length);
      let worst = 0;
      for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import type { AppError } from '@babelfish/core';
import { applyTransformersEnv, assertModelAvailable, configureModels, hasModelFiles, isModelAvailable, modelSettings } from './model-env';
import { modelsDir } from './test-fixtures';
import { getWhisper } from './whisper';

describe('model environment', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'babelfish-models-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-cache-'));

  it('configures transformers.js for offline or hub loading', () => {
    configureModels({ modelsDir, cacheDir, allowRemote: false });
    applyTransformersEnv(env);
    expect(env.localModelPath).toBe(`${modelsDir}/`);
    expect(env.cacheDir).toBe(cacheDir);
    expect(env.allowRemoteModels).toBe(false);
    expect(env.allowLocalModels).toBe(true);
    expect(modelSettings()).toEqual({ modelsDir, cacheDir, allowRemote: false, hubUrl: 'https://huggingface.co' });
    expect(env.remoteHost).toBe('https://huggingface.co/');
    expect(env.remotePathTemplate).toBe('{model}/resolve/{revision}/');

    configureModels({ modelsDir, cacheDir, allowRemote: true, hubUrl: 'http://mirror.internal:8080/hf' });
    applyTransformersEnv(env);
    expect(env.remoteHost).toBe('http://mirror.internal:8080/hf/');
    expect(modelSettings().hubUrl).toBe('http://mirror.internal:8080/hf');

    configureModels({ modelsDir: emptyDir, cacheDir, allowRemote: true });
    applyTransformersEnv(env);
    expect(env.allowRemoteModels).toBe(true);
    expect(isModelAvailable('Xenova/anything')).toBe(true); // the hub may have it
  });

  it('finds installed models in the models dir or the cache', () => {
    expect(hasModelFiles(modelsDir, 'Xenova/whisper-base')).toBe(true);
    expect(hasModelFiles(modelsDir, 'Xenova/nllb-200-distilled-600M')).toBe(false);

    // A cache filled by an earlier hub download counts too (same layout).
    const cached = join(cacheDir, 'Xenova/tiny-thing');
    mkdirSync(join(cached, 'onnx'), { recursive: true });
    writeFileSync(join(cached, 'config.json'), '{}');
    expect(hasModelFiles(cacheDir, 'Xenova/tiny-thing')).toBe(false); // config alone is not a model
    writeFileSync(join(cached, 'onnx', 'model_quantized.onnx'), '');
    expect(isModelAvailable('Xenova/tiny-thing', { modelsDir: emptyDir, cacheDir, allowRemote: false })).toBe(true);
  });

  it('reports a missing model with its id and the folders searched', () => {
    const settings = { modelsDir: emptyDir, cacheDir, allowRemote: false };
    expect(() => assertModelAvailable('Xenova/whisper-small', settings)).toThrow(/Xenova\/whisper-small/);
    try {
      assertModelAvailable('Xenova/whisper-small', settings);
    } catch (error) {
      expect((error as AppError).code).toBe('MODEL_UNAVAILABLE');
      expect((error as AppError).message).toContain(join(emptyDir, 'Xenova/whisper-small'));
    }
  });

  it('fails to load Whisper with MODEL_UNAVAILABLE when the files are missing and remote is off', async () => {
    configureModels({ modelsDir: emptyDir, cacheDir, allowRemote: false });
    await expect(getWhisper('Xenova/whisper-small', 'q8')).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringContaining(emptyDir),
    });
  });
});

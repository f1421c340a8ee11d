import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureModels } from '../model-env';
import { modelsDir } from '../test-fixtures';
import { MarianEngine, marianModelId } from './marian';
import { NllbEngine } from './nllb';

/**
 * Without model files: the engines report themselves unavailable (and notice files once they
 * are installed). tiny-text-models.spec.ts runs them on generated models.
 */
describe('transformers.js text translation engines without model files', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-cache-'));

  beforeEach(() => configureModels({ modelsDir, cacheDir, allowRemote: false }));

  it('NLLB reports no pairs and fails to translate with MODEL_UNAVAILABLE', async () => {
    const nllb = new NllbEngine();
    expect(await nllb.supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await nllb.pairs()).toEqual([]);
    expect(await nllb.unavailableReason()).toBe(
      'its model Xenova/nllb-200-distilled-600M is not installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)',
    );
    await expect(
      nllb.translate({ segments: [{ start: 0, end: 1, text: 'Hello' }], from: 'en', to: 'es' }),
    ).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', message: expect.stringContaining('Xenova/nllb-200-distilled-600M') });
  });

  it('Marian reports no pairs and refuses to translate', async () => {
    const marian = new MarianEngine();
    expect(await marian.supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await marian.pairs()).toEqual([]);
    expect(await marian.unavailableReason()).toBe('no Marian model is installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)');
    expect(await marian.unavailableReason({ pair: { from: 'en', to: 'es' } })).toBe(
      'no Marian model for en → es: its model Xenova/opus-mt-en-es is not installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)',
    );
    await expect(marian.translate({ segments: [], from: 'en', to: 'es' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_LANGUAGE_PAIR',
    });
  });

  it('Marian offers exactly the directions whose model folders are installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'babelfish-models-'));
    const model = join(dir, marianModelId({ from: 'en', to: 'de' }));
    mkdirSync(join(model, 'onnx'), { recursive: true });
    writeFileSync(join(model, 'config.json'), '{}');
    writeFileSync(join(model, 'onnx', 'encoder_model_quantized.onnx'), '');
    configureModels({ modelsDir: dir, cacheDir, allowRemote: false });
    expect(await new MarianEngine().pairs()).toEqual([{ from: 'en', to: 'de' }]);
    expect(await new MarianEngine().unavailableReason()).toBeUndefined();
    expect(await new MarianEngine().unavailableReason({ pair: { from: 'en', to: 'de' } })).toBeUndefined();
    expect(await new MarianEngine().unavailableReason({ pair: { from: 'de', to: 'en' } })).toContain('no Marian model for de → en');
  });

  // With the hub reachable they are offered (model-reachability.spec.ts); here it is not.
  it('with hub downloads allowed but the hub unreachable, offers neither (nothing would download)', async () => {
    configureModels({ modelsDir, cacheDir, allowRemote: true, hubUrl: 'http://127.0.0.1:9' });
    expect(await new NllbEngine().supports({ from: 'en', to: 'ja' })).toBe(false);
    expect(await new MarianEngine().supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await new MarianEngine().supports({ from: 'ko', to: 'eo' })).toBe(false);
    expect(await new NllbEngine().unavailableReason()).toContain('and the model hub (MODEL_HUB_URL) does not serve it');
  });
});

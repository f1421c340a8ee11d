import { expandRoutes, type AppError } from '@babelfish/core';
import { modelsDir } from '../test-fixtures';
import { createEngineRegistry, describePairs } from './registry';

/** Offline set-up: Apertium (eng-spa) and Whisper base are installed, NLLB and Marian are not. */
describe('engine registry', () => {
  const registry = createEngineRegistry({ modelsDir, allowRemote: false, whisperModelId: 'Xenova/whisper-base' });

  it('lists the engines that can translate something, with their routes', async () => {
    const available = await registry.available();
    expect(available.map((entry) => entry.engine)).toEqual(['apertium', 'whisper']);
    expect(expandRoutes(available[0]!.routes)).toEqual(expect.arrayContaining([{ from: 'en', to: 'es' }, { from: 'es', to: 'en' }]));
    // whisper-base: every language it has a token for (99, Cantonese came with large-v3) into English.
    const [whisper] = available[1]!.routes;
    expect(whisper?.to).toEqual(['en']);
    expect(whisper?.from).toHaveLength(98);
    expect(whisper?.from).toEqual(expect.arrayContaining(['ja', 'zh-Hans', 'haw', 'jv', 'nb']));
    expect(whisper?.from).not.toContain('yue');
  });

  it('resolves the best available engine, or the preferred one when it can do the pair', async () => {
    expect((await registry.resolve('en', 'es')).name).toBe('apertium');
    expect((await registry.resolve('es', 'en')).name).toBe('apertium');
    expect((await registry.resolve('es', 'en', 'whisper')).name).toBe('whisper');
    expect((await registry.resolve('fr', 'en')).name).toBe('whisper');
    // Preferred but not installed: fall back instead of failing.
    expect((await registry.resolve('en', 'es', 'nllb')).name).toBe('apertium');
    expect(registry.get('nllb').name).toBe('nllb');
  });

  it('explains an unsupported pair and lists what is available', async () => {
    const error = (await registry.resolve('en', 'ja').catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('UNSUPPORTED_LANGUAGE_PAIR');
    expect(error.message).toMatch(/^No engine translates en → ja\. Available pairs: /);
    expect(error.message).toContain('en→es (apertium)');
    expect(error.message).toContain('es→en (apertium)');
    // 98 pairs are summed up rather than listed.
    expect(error.message).toContain('whisper: 98 languages → en');
    expect(error.details?.available).toEqual(await registry.available());
  });

  it('rejects unknown language codes as such', async () => {
    await expect(registry.resolve('en', 'xx')).rejects.toMatchObject({ code: 'UNKNOWN_LANGUAGE' });
  });

  it('describes an empty installation', () => {
    expect(describePairs([])).toBe('none');
  });
});

describe('engine registry with the llm engine configured', () => {
  const llm = { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', concurrency: 1, timeoutMs: 1000 };
  const registry = createEngineRegistry({ modelsDir, allowRemote: false, whisperModelId: 'Xenova/whisper-base', llm });

  it('offers llm for any known pair, but only when asked or when nothing else can do the pair', async () => {
    expect((await registry.available()).map((entry) => entry.engine)).toEqual(['apertium', 'whisper', 'llm']);
    expect((await registry.resolve('en', 'es')).name).toBe('apertium');
    expect((await registry.resolve('en', 'es', 'llm')).name).toBe('llm');
    expect((await registry.resolve('en', 'ja')).name).toBe('llm');
  });

  it('is not offered without LLM_BASE_URL', async () => {
    const plain = createEngineRegistry({ modelsDir, allowRemote: false });
    expect(await plain.get('llm').pairs()).toEqual([]);
    expect((await plain.resolve('en', 'es', 'llm')).name).toBe('apertium');
  });
});

import { expandRoutes, type AppError } from '@babelfish/core';
import { closedPort } from '../testing/closed-port';
import { startChatServer, type ChatServerProcess } from '../testing/chat-server-process';
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

  it('resolves the best available engine, or the named one', async () => {
    expect((await registry.resolve('en', 'es')).name).toBe('apertium');
    expect((await registry.resolve('es', 'en')).name).toBe('apertium');
    expect((await registry.resolve('es', 'en', 'whisper')).name).toBe('whisper');
    expect((await registry.resolve('fr', 'en')).name).toBe('whisper');
    expect(registry.get('nllb').name).toBe('nllb');
  });

  it('refuses a named engine that cannot run, with the reason, instead of using another', async () => {
    const nllb = (await registry.resolve('en', 'es', 'nllb').catch((e: unknown) => e)) as AppError;
    expect(nllb).toMatchObject({ code: 'ENGINE_UNAVAILABLE', httpStatus: 422, details: expect.objectContaining({ engine: 'nllb' }) });
    expect(nllb.message).toBe(
      'The nllb engine cannot translate en → es here: its model Xenova/nllb-200-distilled-600M is not installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)',
    );
    const marian = (await registry.resolve('en', 'es', 'marian').catch((e: unknown) => e)) as AppError;
    expect(marian.message).toMatch(/^The marian engine cannot translate en → es here: no Marian model for en → es: its model Xenova\/opus-mt-en-es is not installed/);
    const apertium = (await registry.resolve('en', 'fr', 'apertium').catch((e: unknown) => e)) as AppError;
    expect(apertium.message).toMatch(/^The apertium engine cannot translate en → fr here: Apertium has no en → fr pair installed \(installed: .*eng-spa/);
    await expect(registry.resolve('es', 'fr', 'whisper')).rejects.toMatchObject({ message: 'The whisper engine cannot translate es → fr here: Whisper translates speech into English only, not es → fr' });
    await expect(registry.assertUsable('llm')).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE', message: 'The llm engine cannot run here: it is not configured (set LLM_BASE_URL and LLM_MODEL)' });
    expect((await registry.assertUsable('apertium')).name).toBe('apertium');
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
  let chat: ChatServerProcess;
  beforeAll(async () => {
    chat = await startChatServer();
  });
  afterAll(() => chat?.stop());
  const settings = (baseUrl: string) => ({ baseUrl, model: 'm', concurrency: 1, timeoutMs: 1000 });

  it('offers llm for any known pair, but only when named or when nothing else can do the pair', async () => {
    const registry = createEngineRegistry({ modelsDir, allowRemote: false, whisperModelId: 'Xenova/whisper-base', llm: settings(chat.baseUrl) });
    expect((await registry.available()).map((entry) => entry.engine)).toEqual(['apertium', 'whisper', 'llm']);
    expect((await registry.resolve('en', 'es')).name).toBe('apertium');
    expect((await registry.resolve('en', 'es', 'llm')).name).toBe('llm');
    expect((await registry.resolve('en', 'ja')).name).toBe('llm');
  });

  it('with the server down, llm is neither offered nor used, and naming it is refused with the reason', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const registry = createEngineRegistry({ modelsDir, allowRemote: false, whisperModelId: 'Xenova/whisper-base', llm: settings(baseUrl) });
    expect((await registry.available()).map((entry) => entry.engine)).toEqual(['apertium', 'whisper']);
    await expect(registry.resolve('en', 'ja')).rejects.toMatchObject({ code: 'UNSUPPORTED_LANGUAGE_PAIR' });
    await expect(registry.resolve('en', 'es', 'llm')).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: 'The llm engine cannot translate en → es here: the LLM server (LLM_BASE_URL) does not answer (ECONNREFUSED)',
    });
  });

  it('refuses a job model the server does not list', async () => {
    await chat.setScript({ models: ['m'] });
    const registry = createEngineRegistry({ modelsDir, allowRemote: false, llm: settings(chat.baseUrl) });
    expect((await registry.resolve('en', 'es', 'llm')).name).toBe('llm');
    await expect(registry.resolve('en', 'es', 'llm', { llmModel: 'typo-model' })).rejects.toMatchObject({
      message: 'The llm engine cannot translate en → es here: the LLM server (LLM_BASE_URL) does not serve the model typo-model (it lists: m)',
    });
  });

  it('is not offered without LLM_BASE_URL', async () => {
    const plain = createEngineRegistry({ modelsDir, allowRemote: false });
    expect(await plain.get('llm').pairs()).toEqual([]);
    await expect(plain.resolve('en', 'es', 'llm')).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });
});

import { decodeSample, useOfflineModels } from '../test-fixtures';
import { disposeWhisperModels, getWhisper } from '../whisper';
import { WhisperTranslationEngine } from './whisper';

/** Real whisper-base (q8) translating Spanish speech to English text; no mocks. */
describe('WhisperTranslationEngine', () => {
  const engine = new WhisperTranslationEngine({ modelId: 'Xenova/whisper-base', dtype: 'q8' });

  beforeAll(async () => {
    useOfflineModels();
    await getWhisper('Xenova/whisper-base', 'q8'); // load once, outside the timed test
  });

  afterAll(() => disposeWhisperModels());

  it('supports speech → English only', async () => {
    expect(await engine.supports({ from: 'es', to: 'en' })).toBe(true);
    expect(await engine.supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await engine.supports({ from: 'es', to: 'fr' })).toBe(false);
    const pairs = await engine.pairs();
    expect(pairs.every((pair) => pair.to === 'en' && pair.from !== 'en')).toBe(true);
  });

  it('translates the Spanish Everest recording into English segments', async () => {
    const progress: number[] = [];
    const segments = await engine.translate({
      segments: [], // ignored: Whisper listens to the audio itself
      from: 'es',
      to: 'en',
      audio: async () => decodeSample('es_everest.mp3'),
      onProgress: (p) => progress.push(p),
    });
    const text = segments.map((segment) => segment.text).join(' ');
    expect(text).toMatch(/Everest/);
    expect(text).toMatch(/oxygen/i);
    expect(segments.length).toBeGreaterThan(3);
    expect(segments.at(-1)?.end).toBeLessThanOrEqual(37.7);
    expect(progress.at(-1)).toBe(100);
  });

  it('needs the source audio', async () => {
    await expect(engine.translate({ segments: [], from: 'es', to: 'en' })).rejects.toMatchObject({ code: 'TRANSLATION_FAILED' });
  });
});

import type { Segment } from '@babelfish/core';
import { ApertiumEngine, cleanApertiumText } from './apertium';

/** Real Debian apertium + the pairs scripts/test.sh installs (eng-spa, fr-es). */
describe('ApertiumEngine', () => {
  const engine = new ApertiumEngine();

  it('lists installed modes as ISO 639-1 pairs, skipping variants', async () => {
    const pairs = await engine.pairs();
    expect(pairs).toEqual(expect.arrayContaining([{ from: 'en', to: 'es' }, { from: 'es', to: 'en' }]));
    expect(new Set(pairs.map((pair) => `${pair.from}>${pair.to}`)).size).toBe(pairs.length); // spa-eng_US not doubled
    expect(await engine.supports({ from: 'en', to: 'es' })).toBe(true);
    expect(await engine.supports({ from: 'en', to: 'ja' })).toBe(false);
  });

  it('translates English to Spanish', async () => {
    const [segment] = await engine.translate({
      segments: [{ start: 0.5, end: 7.7, text: 'And so my fellow Americans, ask not what your country can do for you' }],
      from: 'en',
      to: 'es',
    });
    expect(segment?.text).toContain('país');
    expect(segment).toMatchObject({ start: 0.5, end: 7.7 });
  });

  it('keeps segment count and timings across a batch, without merging neighbours', async () => {
    const segments: Segment[] = [
      { start: 0, end: 2, text: 'ask not what your country can do for you' },
      { start: 2.5, end: 4, text: 'ask what you can do for your country.' },
      { start: 4, end: 5, text: '   ' },
      { start: 5, end: 6.5, text: 'I climbed Everest without oxygen.' },
      { start: 7, end: 9, text: 'Hello,\nmy friend' },
    ];
    const progress: number[] = [];
    const translated = await engine.translate({ segments, from: 'en', to: 'es', onProgress: (p) => progress.push(p) });
    expect(translated).toHaveLength(segments.length);
    expect(translated.map(({ start, end }) => ({ start, end }))).toEqual(segments.map(({ start, end }) => ({ start, end })));
    expect(translated[0]?.text).toMatch(/para ti$/); // "you" stayed in its own segment
    expect(translated[1]?.text).toContain('país');
    expect(translated[2]?.text).toBe('');
    expect(translated[3]?.text).toContain('Everest'); // unknown word kept, without the * mark
    expect(translated[3]?.text).not.toContain('*');
    expect(translated[4]?.text).toMatch(/^Hola, mi amigo$/i);
    expect(progress.at(-1)).toBe(100);
  });

  it('a canceled translation runs no further batch (one apertium process each) and is CANCELED', async () => {
    // 250 segments: batches of 100, 100 and 50.
    const segments: Segment[] = Array.from({ length: 250 }, (_, i) => ({ start: i, end: i + 1, text: `ask not what your country can do for you ${i}` }));
    const controller = new AbortController();
    const progress: number[] = [];
    const onProgress = (percent: number) => {
      progress.push(percent);
      if (percent > 0) controller.abort(); // canceled while the first batch ran
    };
    await expect(engine.translate({ segments, from: 'en', to: 'es', onProgress, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELED' });
    expect(progress).toEqual([0, 40]);
  });

  it('translates Spanish to English', async () => {
    const [segment] = await engine.translate({
      segments: [{ start: 0, end: 3, text: 'Sé que puedo escalar el Everest sin oxígeno.' }],
      from: 'es',
      to: 'en',
    });
    expect(segment?.text).toMatch(/without oxygen/);
  });

  // scripts/test.sh installs APERTIUM_PAIRS="eng-spa fr-es": a pair packaged with the older
  // two-letter mode names (fr-es) is offered and translates like any other.
  it('offers every installed pair, whatever naming its package uses (apertium-fr-es)', async () => {
    expect(await engine.pairs()).toEqual(expect.arrayContaining([{ from: 'fr', to: 'es' }, { from: 'es', to: 'fr' }]));
    const [segment] = await engine.translate({ segments: [{ start: 0, end: 2, text: 'Le pays est grand.' }], from: 'fr', to: 'es' });
    expect(segment?.text).toMatch(/El país es grande/i);
  });

  it('offers nothing when the apertium command is missing', async () => {
    const missing = new ApertiumEngine({ command: 'apertium-not-installed-here' });
    expect(await missing.pairs()).toEqual([]);
    await expect(missing.translate({ segments: [], from: 'en', to: 'es' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_LANGUAGE_PAIR',
    });
  });
});

describe('cleanApertiumText', () => {
  it('drops unknown-word, generation and transfer marks but keeps the words', () => {
    expect(cleanApertiumText('Subí *Everest sin #oxígeno @ayer')).toBe('Subí Everest sin oxígeno ayer');
    expect(cleanApertiumText('¿*Qué?  pasa\n')).toBe('¿Qué? pasa');
    expect(cleanApertiumText('5 * 3 = 15, email a@b.c')).toBe('5 * 3 = 15, email a@b.c');
  });
});

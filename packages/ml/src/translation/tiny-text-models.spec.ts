import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Segment } from '@babelfish/core';
import { configureModels } from '../model-env';
import { glossTranslation, TINY_NLLB_MODEL_ID, writeTinyMarian, writeTinyNllb } from '../testing/tiny-text-models';
import { MarianEngine } from './marian';
import { NllbEngine } from './nllb';
import { getTranslationPipeline, TEXT_MODEL_BATCH_SIZE, translateTextsInProcess } from './text-model';

/**
 * NLLB and Marian executed for real: transformers.js loads the generated tiny models
 * (tiny-text-models.ts: same files, configs and tensor names as the hub conversions) and
 * onnxruntime-node runs them. Their word-by-word output is known in advance (glossTranslation),
 * so each test checks the exact text: the forced target-language token, batching with padding,
 * empty segments, output order and both tokenizers' special tokens are exercised, not assumed.
 */
describe('NLLB and Marian engines on generated tiny models', () => {
  const modelsDir = mkdtempSync(join(tmpdir(), 'babelfish-tiny-models-'));
  writeTinyNllb(modelsDir);
  writeTinyMarian(modelsDir, { from: 'en', to: 'de' });

  beforeEach(() => configureModels({ modelsDir, cacheDir: mkdtempSync(join(tmpdir(), 'babelfish-cache-')), allowRemote: false }));

  const segment = (start: number, text: string): Segment => ({ start, end: start + 1.5, text });

  it('NLLB offers every pair of the core table once its files are installed', async () => {
    const nllb = new NllbEngine();
    expect(await nllb.supports({ from: 'en', to: 'es' })).toBe(true);
    expect(await nllb.supports({ from: 'ja', to: 'de' })).toBe(true);
  });

  it('translates into the language whose token is forced first (tgt_lang), from one model and one input', async () => {
    const nllb = new NllbEngine();
    const source = [segment(0, 'And so, my fellow Americans, ask not what your country can do for you.')];
    const spanish = await nllb.translate({ segments: source, from: 'en', to: 'es' });
    const french = await nllb.translate({ segments: source, from: 'en', to: 'fr' });
    const german = await nllb.translate({ segments: source, from: 'en', to: 'de' });
    expect(spanish[0]!.text).toBe('Y así, mis compañeros Estadounidenses, pregunta no qué tu país puede hacer por ti.');
    expect(french[0]!.text).toBe(glossTranslation(source[0]!.text, 'fr'));
    expect(german[0]!.text).toBe(glossTranslation(source[0]!.text, 'de'));
    console.log(`tiny NLLB: en→es "${spanish[0]!.text}" / en→fr "${french[0]!.text}"`);
  });

  it('the first generated token is the target language token, right after the decoder start', async () => {
    const translator = (await getTranslationPipeline(TINY_NLLB_MODEL_ID)) as unknown as {
      tokenizer: { (texts: string[]): unknown; _build_translation_inputs: (t: string[], o: object, g: Record<string, unknown>) => Record<string, unknown>; model: { tokens_to_ids: Map<string, number> }; _tokenizer: { token_to_id: (token: string) => number } };
      model: { generate: (inputs: Record<string, unknown>) => Promise<{ tolist: () => bigint[][] }> };
    };
    const generate = { src_lang: 'eng_Latn', tgt_lang: 'fra_Latn' } as Record<string, unknown>;
    const inputs = translator.tokenizer._build_translation_inputs(['Hello world.'], { padding: true, truncation: true }, generate);
    const [sequence] = (await translator.model.generate({ ...inputs, ...generate, max_new_tokens: 20 })).tolist();
    const id = (token: string) => BigInt(translator.tokenizer._tokenizer.token_to_id(token));
    // </s> (decoder start), fra_Latn (forced), Bonjour, monde, ., </s>
    expect(sequence).toEqual([id('</s>'), id('fra_Latn'), id('▁Bonjour'), id('▁monde'), id('.'), id('</s>')]);
  });

  it('batches segments of different lengths, keeps empty ones in place and maps each output to its own cue', async () => {
    const lines = [
      'Hello world.',
      '',
      'Good morning, my friend.',
      'The cat sleeps.',
      'Thank you very much!',
      '   ',
      'And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country.',
      'The cat is here today.',
      'Hello?',
      'My friend, the cat, sleeps here.',
      'Good morning world.',
      'Thank you, my fellow Americans.',
    ];
    const segments = lines.map((text, i) => segment(i * 2, text));
    const progress: number[] = [];
    const out = await new NllbEngine().translate({ segments, from: 'en', to: 'es', onProgress: (percent) => progress.push(percent) });

    expect(out.map((cue) => ({ start: cue.start, end: cue.end }))).toEqual(segments.map((cue) => ({ start: cue.start, end: cue.end })));
    expect(out.map((cue) => cue.text)).toEqual(lines.map((text) => (text.trim() ? glossTranslation(text, 'es') : '')));
    // 10 non-empty lines: two batches (8 + 2), each ending in a progress step.
    expect(lines.filter((text) => text.trim()).length).toBeGreaterThan(TEXT_MODEL_BATCH_SIZE);
    expect(progress).toEqual([0, 80, 100, 100]);
  });

  it('a canceled translation starts no further batch and is CANCELED; one canceled before it starts runs none', async () => {
    const lines = Array.from({ length: 3 * TEXT_MODEL_BATCH_SIZE }, (_, i) => segment(i * 2, `Hello world number ${i}.`));
    const controller = new AbortController();
    const progress: number[] = [];
    // Canceled as the first batch lands (the job's owner clicked Cancel during it).
    const onProgress = (percent: number) => {
      progress.push(percent);
      if (percent > 0) controller.abort();
    };
    await expect(new NllbEngine().translate({ segments: lines, from: 'en', to: 'es', onProgress, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELED' });
    expect(progress).toEqual([0, 100 / 3]); // the start, then one batch of three

    const marianCalls: number[] = [];
    await expect(
      new MarianEngine().translate({ segments: lines, from: 'en', to: 'de', onProgress: (percent) => marianCalls.push(percent), signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'CANCELED' });
    expect(marianCalls).toEqual([0]);
  });

  it('the source language is the tokenizer-side src_lang: Spanish in, English out', async () => {
    const out = await new NllbEngine().translate({ segments: [segment(0, 'Hola mundo, buenos días.')], from: 'es', to: 'en' });
    expect(out[0]!.text).toBe('Hello world, good morning.');
  });

  it('glossary placeholders pass through the model unchanged', async () => {
    const out = await new NllbEngine().translate({ segments: [segment(0, 'ZXQ0 thank you, ZXQ1.')], from: 'en', to: 'de' });
    expect(out[0]!.text).toBe('ZXQ0 danke euch, ZXQ1.');
  });

  it('Marian: the installed direction is offered and translates with its own tokenizer (pad as decoder start)', async () => {
    const marian = new MarianEngine();
    expect(await marian.pairs()).toEqual([{ from: 'en', to: 'de' }]);
    const out = await marian.translate({ segments: [segment(0, 'Hello world.'), segment(2, ''), segment(4, 'The cat sleeps here today.')], from: 'en', to: 'de' });
    expect(out.map((cue) => cue.text)).toEqual(['Hallo welt.', '', 'Die katze schläft hier heute.']);
  });

  it('a corrupt model file is MODEL_UNAVAILABLE naming the model; an unknown language code is TRANSLATION_FAILED', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'babelfish-broken-'));
    const root = writeTinyNllb(broken, 'Tests/broken-nllb');
    writeFileSync(join(root, 'onnx', 'decoder_model_merged_quantized.onnx'), 'not an onnx file');
    configureModels({ modelsDir: broken, cacheDir: mkdtempSync(join(tmpdir(), 'babelfish-cache-')), allowRemote: false });
    await expect(new NllbEngine({ modelId: 'Tests/broken-nllb' }).translate({ segments: [segment(0, 'Hello')], from: 'en', to: 'es' })).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringContaining('Tests/broken-nllb'),
    });

    configureModels({ modelsDir, cacheDir: mkdtempSync(join(tmpdir(), 'babelfish-cache-')), allowRemote: false });
    await expect(translateTextsInProcess({ modelId: TINY_NLLB_MODEL_ID, texts: ['Hello'], options: { src_lang: 'eng_Latn', tgt_lang: 'xxx_Latn' } })).rejects.toMatchObject({
      code: 'TRANSLATION_FAILED',
      message: expect.stringContaining('xxx_Latn'),
    });
  });
});

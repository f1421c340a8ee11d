import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { arraySource } from './audio-source';
import { applyTransformersEnv } from './model-env';
import type { TimedToken } from './segmenter';
import { decodeSample, modelsDir, samplesDir, useOfflineModels } from './test-fixtures';
import { cachedTokenizerParts } from './tokenizer-cache';
import { transcribeSource } from './transcriber';
import { transformersWhisperText, type TransformersWhisperTokenizer } from './window-words';
import type { WhisperText } from './whisper-pipeline';
import { loadWhisperRuntime, type WhisperRuntime } from './whisper-runtime';
import { loadWhisperTokenizer, readTokenizerParts, type WhisperTokenizer } from './whisper-tokenizer';

/**
 * Our byte-level BPE tokenizer and word grouping against transformers.js' (the reference): same
 * ids, same text, same special-token ids, and on real model output the same words and times.
 */
describe('our Whisper tokenizer vs transformers.js', () => {
  let ours: WhisperTokenizer;
  let reference: WhisperText;
  const texts = [
    readFileSync(join(samplesDir, 'jfk.txt'), 'utf8'),
    readFileSync(join(samplesDir, 'es_everest.txt'), 'utf8'),
    ' 你好世界，我是一个学生。 日本語のテキスト「こんにちは」！ 한국어 문장입니다. Ça va? «Très bien» — l\'été, don\'t \'quoted\' (paren) [x] 3.14 $5 100% 🎉👍',
    ' He was ill-disposed , and I don\'t know . it \'s  double  spaces \t tab\n new line <|en|> x',
  ];

  beforeAll(async () => {
    useOfflineModels();
    applyTransformersEnv(env);
    reference = transformersWhisperText((await AutoTokenizer.from_pretrained('Xenova/whisper-base', { local_files_only: true })) as unknown as TransformersWhisperTokenizer);
    ours = loadWhisperTokenizer(join(modelsDir, 'Xenova/whisper-base'));
  });

  it('encodes to the same ids and decodes them to the same text, special tokens and split characters included', () => {
    for (const text of texts) {
      const ids = ours.encode(text);
      expect(ids).toEqual(reference.encode(text));
      const withSpecial = [50258, 50260, 50359, 50364, ...ids, 50384, 50257];
      for (const skip of [false, true]) expect(ours.decode(withSpecial, { skip_special_tokens: skip })).toBe(reference.decode(withSpecial, { skip_special_tokens: skip }));
      // One token at a time: a character whose bytes span tokens decodes to U+FFFD alone, as in transformers.js.
      for (const id of ids) expect(ours.decode([id])).toBe(reference.decode([id]));
    }
  });

  it('has the same ids for language, task, timestamp and the other special tokens', () => {
    const tokenizer = JSON.parse(readFileSync(join(modelsDir, 'Xenova/whisper-base', 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; content: string }[] };
    for (const { id, content } of tokenizer.added_tokens) {
      expect(ours.tokenId(content)).toBe(id);
      expect(reference.tokenId(content)).toBe(id);
    }
    for (const token of ['<|startoftranscript|>', '<|en|>', '<|es|>', '<|zh|>', '<|transcribe|>', '<|translate|>', '<|notimestamps|>', '<|nocaptions|>', '<|0.00|>']) {
      expect(ours.tokenId(token)).toBe(reference.tokenId(token));
    }
    expect(ours.tokenId('<|xx|>')).toBeUndefined();
  });

  it('its compact copy in the model cache: the same parts as the model files, and the same ids and text once read back; a damaged copy is written again', () => {
    const modelDir = join(modelsDir, 'Xenova/whisper-base');
    const cacheDir = mkdtempSync(join(tmpdir(), 'babelfish-tokenizer-cache-'));
    const own = readTokenizerParts(modelDir);
    let reads = 0;
    const read = (dir: string) => {
      reads++;
      return readTokenizerParts(dir);
    };
    const sameParts = (parts: ReturnType<typeof readTokenizerParts>) => {
      expect(parts.vocab).toEqual(own.vocab);
      expect(parts.added).toEqual(own.added);
      expect(parts.cleanUp).toBe(own.cleanUp);
      expect(parts.merges()).toEqual(own.merges());
    };
    sameParts(cachedTokenizerParts(modelDir, cacheDir, read));
    expect(reads).toBe(1);
    const [file] = readdirSync(join(cacheDir, 'tokenizers'));
    expect(file).toMatch(/^tokenizer-[0-9a-f]{16}\.json$/);
    sameParts(cachedTokenizerParts(modelDir, cacheDir, read));
    expect(reads).toBe(1); // read back from the copy

    const cached = loadWhisperTokenizer(modelDir, cacheDir);
    for (const text of texts) {
      const ids = cached.encode(text);
      expect(ids).toEqual(ours.encode(text));
      const withSpecial = [50258, 50260, 50359, 50364, ...ids, 50384, 50257];
      for (const skip of [false, true]) expect(cached.decode(withSpecial, { skip_special_tokens: skip })).toBe(ours.decode(withSpecial, { skip_special_tokens: skip }));
    }
    for (const [id, content] of own.added) expect(cached.tokenId(content)).toBe(id);
    expect(cached.tokenId('<|xx|>')).toBeUndefined();
    expect(cached.tokenId('constructor')).toBe(ours.tokenId('constructor'));

    const path = join(cacheDir, 'tokenizers', file!);
    const [head, merges] = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, `${head}\n[1, 2`); // merges cut short: read from the model's files instead
    sameParts(cachedTokenizerParts(modelDir, cacheDir, read));
    expect(reads).toBe(2);
    writeFileSync(path, `{"format": 1, "vocab": ["a"`); // the vocabulary cut short: written again
    sameParts(cachedTokenizerParts(modelDir, cacheDir, read));
    expect(reads).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe(`${head}\n${merges}`);
  });

  describe('on real model output', () => {
    let runtime: WhisperRuntime;
    beforeAll(async () => {
      runtime = await loadWhisperRuntime('Xenova/whisper-base', 'q8', { threads: 2 });
    }, 120_000);
    afterAll(() => runtime?.dispose());

    it.each([
      ['jfk.wav', 'en'],
      ['es_everest.mp3', 'es'],
    ])('%s: the same words and word times from every decoded window', async (sample, language) => {
      const own = runtime.tokenizer.words;
      const compared: { ours: TimedToken[]; theirs: TimedToken[] }[] = [];
      runtime.tokenizer.words = (decoded) => {
        const words = own(decoded);
        compared.push({ ours: words, theirs: reference.words(decoded) });
        return words;
      };
      try {
        await transcribeSource(runtime, arraySource(decodeSample(sample)), { language, task: 'transcribe', batchSize: 4 });
      } finally {
        runtime.tokenizer.words = own;
      }
      expect(compared.length).toBeGreaterThan(0);
      expect(compared.flatMap((window) => window.ours).length).toBeGreaterThan(15);
      for (const window of compared) expect(window.ours).toEqual(window.theirs);
    }, 180_000);
  });
});

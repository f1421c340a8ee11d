import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { supportedLanguages } from '@babelfish/core';
import { encodeModel } from './onnx-writer';
import { decoderGraph, encoderGraph, type TinySeq2SeqTables } from './tiny-seq2seq-graphs';

/**
 * Tiny NLLB and Marian models, generated at test time (a few KB), laid out exactly like the hub
 * conversions the engines load (`<org>/<model>/{config.json, generation_config.json,
 * tokenizer.json, tokenizer_config.json, onnx/encoder_model_quantized.onnx,
 * onnx/decoder_model_merged_quantized.onnx}`), so transformers.js and onnxruntime-node run
 * them through the same code paths as the real ~600 MB / ~75 MB models.
 *
 * They "translate" word by word with a small dictionary (English, Spanish, French, German), so
 * what they produce is known in advance: `glossTranslation` computes it independently of the
 * models. The NLLB one has a language token for every language of the core table, and its
 * output language is the one forced as first generated token (tgt_lang → forced_bos_token_id):
 * were it not forced, it would echo the source. Placeholders (ZXQ0…) and punctuation pass
 * through unchanged; an unknown word becomes <unk>, which decoding drops.
 */

export type GlossLanguage = 'en' | 'es' | 'fr' | 'de';

/** English word → its Spanish, French and German gloss. Covers jfk.wav's sentence. */
const DICTIONARY: Record<string, Record<Exclude<GlossLanguage, 'en'>, string>> = {
  and: { es: 'y', fr: 'et', de: 'und' },
  so: { es: 'así', fr: 'ainsi', de: 'also' },
  my: { es: 'mis', fr: 'mes', de: 'meine' },
  fellow: { es: 'compañeros', fr: 'chers', de: 'lieben' },
  americans: { es: 'estadounidenses', fr: 'américains', de: 'amerikaner' },
  ask: { es: 'pregunta', fr: 'demandez', de: 'fragt' },
  not: { es: 'no', fr: 'pas', de: 'nicht' },
  what: { es: 'qué', fr: 'quoi', de: 'was' },
  your: { es: 'tu', fr: 'votre', de: 'euer' },
  country: { es: 'país', fr: 'pays', de: 'land' },
  can: { es: 'puede', fr: 'peut', de: 'kann' },
  do: { es: 'hacer', fr: 'faire', de: 'tun' },
  for: { es: 'por', fr: 'pour', de: 'für' },
  you: { es: 'ti', fr: 'vous', de: 'euch' },
  hello: { es: 'hola', fr: 'bonjour', de: 'hallo' },
  world: { es: 'mundo', fr: 'monde', de: 'welt' },
  good: { es: 'buenos', fr: 'bon', de: 'guten' },
  morning: { es: 'días', fr: 'matin', de: 'morgen' },
  the: { es: 'el', fr: 'le', de: 'die' },
  cat: { es: 'gato', fr: 'chat', de: 'katze' },
  sleeps: { es: 'duerme', fr: 'dort', de: 'schläft' },
  thank: { es: 'gracias', fr: 'merci', de: 'danke' },
  very: { es: 'muy', fr: 'très', de: 'sehr' },
  much: { es: 'mucho', fr: 'beaucoup', de: 'viel' },
  is: { es: 'está', fr: 'est', de: 'ist' },
  here: { es: 'aquí', fr: 'ici', de: 'hier' },
  today: { es: 'hoy', fr: "aujourd'hui", de: 'heute' },
  friend: { es: 'amigo', fr: 'ami', de: 'freund' },
};

const GLOSS_LANGUAGES: GlossLanguage[] = ['en', 'es', 'fr', 'de'];
const PUNCTUATION = [',', '.', '?', '!', ';', ':'];
/** Glossary placeholders as contextual-translation writes them (ZXQ0, ZXQ1…). */
const PLACEHOLDERS = Array.from({ length: 20 }, (_, i) => `ZXQ${i}`);
const SPACE = '\u2581'; // SentencePiece's word-start mark, as in the real tokenizers

const capitalize = (word: string) => word.charAt(0).toLocaleUpperCase() + word.slice(1);

function glossOf(word: string, language: GlossLanguage, english: string): string {
  return language === 'en' ? english : DICTIONARY[english]![language];
}

/** word (any gloss language, either case) → its gloss in `to`; placeholders map to themselves. */
function glossTable(to: GlossLanguage): Map<string, string> {
  const table = new Map<string, string>();
  for (const english of Object.keys(DICTIONARY)) {
    for (const from of GLOSS_LANGUAGES) {
      const source = glossOf(english, from, english);
      const target = glossOf(english, to, english);
      if (!table.has(source)) table.set(source, target);
      if (!table.has(capitalize(source))) table.set(capitalize(source), capitalize(target));
    }
  }
  for (const placeholder of PLACEHOLDERS) table.set(placeholder, placeholder);
  return table;
}

/**
 * What the tiny models make of `text` in `to`, computed without them: each word glossed, the
 * punctuation after it kept. Throws on a word outside the dictionary (a test using one would
 * be checking <unk> handling by accident).
 */
export function glossTranslation(text: string, to: GlossLanguage): string {
  const table = glossTable(to);
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const match = /^(.*?)([,.?!;:]*)$/u.exec(word)!;
      const gloss = table.get(match[1]!);
      if (gloss === undefined) throw new Error(`"${match[1]}" is not in the tiny models' dictionary`);
      return gloss + match[2];
    })
    .join(' ');
}

export const TINY_NLLB_MODEL_ID = 'Xenova/nllb-200-distilled-600M';

/**
 * Writes a tiny NLLB (m2m_100 architecture, NllbTokenizer) under `modelsDir/modelId` and
 * returns its folder. Its language tokens are those of the core table; the targets with a
 * dictionary gloss, every other target echoes the source.
 */
export function writeTinyNllb(modelsDir: string, modelId = TINY_NLLB_MODEL_ID, options: { busy?: TinySeq2SeqTables['busy'] } = {}): string {
  const nllbLanguages = supportedLanguages.filter((language) => language.nllb);
  const languageTokens = nllbLanguages.map((language) => language.nllb!);
  const special = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab = [...special, ...pieces(), ...languageTokens];
  const ids = new Map(vocab.map((piece, id) => [piece, id]));
  const [bos, pad, eos, unk] = [0, 1, 2, 3];
  // Row 0: no target language forced (the echo), then one row per language token.
  const rows = [identityRow(vocab, ids, { pad, eos }), ...nllbLanguages.map((language) => glossRow(vocab, ids, language.code, { pad, eos }))];
  const slotOf = vocab.map((piece) => languageTokens.indexOf(piece) + 1);
  writeModel(modelsDir, modelId, { vocabSize: vocab.length, eosId: eos, slotOf, table: rows.flat(), busy: options.busy }, {
    config: {
      model_type: 'm2m_100',
      architectures: ['M2M100ForConditionalGeneration'],
      is_encoder_decoder: true,
      ...TINY_DIMENSIONS,
      vocab_size: vocab.length,
      bos_token_id: bos,
      pad_token_id: pad,
      eos_token_id: eos,
      decoder_start_token_id: eos,
    },
    generation: { bos_token_id: bos, pad_token_id: pad, eos_token_id: eos, decoder_start_token_id: eos, max_length: 200 },
    tokenizer: tokenizerJson(vocab, special.length, unk, {
      // NllbTokenizer (non-legacy) puts the source language first and </s> last; transformers.js
      // swaps this template's language token for src_lang at each call.
      single: [{ SpecialToken: { id: 'eng_Latn', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      extraSpecial: languageTokens,
    }),
    tokenizerConfig: {
      tokenizer_class: 'NllbTokenizer',
      bos_token: '<s>',
      eos_token: '</s>',
      pad_token: '<pad>',
      unk_token: '<unk>',
      src_lang: 'eng_Latn',
      legacy_behaviour: false,
      model_max_length: 1024,
      additional_special_tokens: languageTokens,
    },
  });
  return join(modelsDir, modelId);
}

/** Writes a tiny Marian (OPUS-MT) model for one direction, `Xenova/opus-mt-<from>-<to>`. */
export function writeTinyMarian(modelsDir: string, pair: { from: GlossLanguage; to: GlossLanguage }): string {
  const modelId = `Xenova/opus-mt-${pair.from}-${pair.to}`;
  // As in the OPUS-MT conversions: </s> is 0, <unk> 1, <pad> last (and the decoder start).
  const vocab = ['</s>', '<unk>', ...pieces(), '<pad>'];
  const ids = new Map(vocab.map((piece, id) => [piece, id]));
  const [eos, unk, pad] = [0, 1, vocab.length - 1];
  const table = glossRow(vocab, ids, pair.to, { pad, eos });
  writeModel(modelsDir, modelId, { vocabSize: vocab.length, eosId: eos, slotOf: vocab.map(() => 0), table }, {
    config: {
      model_type: 'marian',
      architectures: ['MarianMTModel'],
      is_encoder_decoder: true,
      ...TINY_DIMENSIONS,
      vocab_size: vocab.length,
      pad_token_id: pad,
      eos_token_id: eos,
      decoder_start_token_id: pad,
      forced_eos_token_id: eos,
    },
    generation: { pad_token_id: pad, eos_token_id: eos, decoder_start_token_id: pad, forced_eos_token_id: eos, bad_words_ids: [[pad]], max_length: 512 },
    tokenizer: tokenizerJson(vocab, 0, unk, { single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }], extraSpecial: [] }, ['</s>', '<unk>', '<pad>']),
    tokenizerConfig: { tokenizer_class: 'MarianTokenizer', eos_token: '</s>', unk_token: '<unk>', pad_token: '<pad>', model_max_length: 512 },
  });
  return join(modelsDir, modelId);
}

/** One layer, one head, width 1: transformers.js sizes the empty first-step cache from these. */
const TINY_DIMENSIONS = {
  d_model: 1,
  encoder_layers: 1,
  decoder_layers: 1,
  encoder_attention_heads: 1,
  decoder_attention_heads: 1,
  max_position_embeddings: 1024,
};

/** Every word piece: the dictionary's words in all four languages (both cases), placeholders, punctuation. */
function pieces(): string[] {
  const words = new Set<string>();
  for (const english of Object.keys(DICTIONARY)) {
    for (const language of GLOSS_LANGUAGES) {
      const word = glossOf(english, language, english);
      words.add(word).add(capitalize(word));
    }
  }
  return [...[...words, ...PLACEHOLDERS].map((word) => SPACE + word), ...PUNCTUATION];
}

type Specials = { pad: number; eos: number };

/** Source token → itself, except padding, which ends the sentence. */
function identityRow(vocab: string[], ids: Map<string, number>, { pad, eos }: Specials): number[] {
  return vocab.map((_, id) => (id === pad ? eos : id));
}

/** Source token → its gloss in `language` (itself for punctuation, specials and languages without one). */
function glossRow(vocab: string[], ids: Map<string, number>, language: string, specials: Specials): number[] {
  const row = identityRow(vocab, ids, specials);
  if (!GLOSS_LANGUAGES.includes(language as GlossLanguage)) return row;
  const table = glossTable(language as GlossLanguage);
  return vocab.map((piece, id) => {
    const gloss = piece.startsWith(SPACE) ? table.get(piece.slice(1)) : undefined;
    return gloss === undefined ? row[id]! : ids.get(SPACE + gloss)!;
  });
}

type TemplateItem = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A'; type_id: number } };

/** A SentencePiece-style Unigram tokenizer.json (Metaspace pre-tokenizer and decoder), as the conversions ship. */
function tokenizerJson(
  vocab: string[],
  leadingSpecials: number,
  unkId: number,
  template: { single: TemplateItem[]; extraSpecial: string[] },
  specialTokens: string[] = vocab.slice(0, leadingSpecials),
) {
  const specials = [...specialTokens, ...template.extraSpecial];
  const metaspace = { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'always', split: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({
      id: vocab.indexOf(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: template.single,
      pair: [...template.single, { Sequence: { id: 'B', type_id: 0 } }],
      special_tokens: Object.fromEntries(
        template.single.flatMap((item) => ('SpecialToken' in item ? [[item.SpecialToken.id, { id: item.SpecialToken.id, ids: [vocab.indexOf(item.SpecialToken.id)], tokens: [item.SpecialToken.id] }]] : [])),
      ),
    },
    decoder: metaspace,
    // Equal scores: the segmentation with the fewest pieces wins, i.e. one piece per known word.
    model: { type: 'Unigram', unk_id: unkId, vocab: vocab.map((piece) => [piece, -1]), byte_fallback: false },
  };
}

type ModelJson = { config: object; generation: object; tokenizer: object; tokenizerConfig: object };

function writeModel(modelsDir: string, modelId: string, tables: TinySeq2SeqTables, json: ModelJson): void {
  const root = join(modelsDir, modelId);
  const write = (file: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  write('config.json', JSON.stringify(json.config, null, 2));
  write('generation_config.json', JSON.stringify(json.generation, null, 2));
  write('tokenizer.json', JSON.stringify(json.tokenizer));
  write('tokenizer_config.json', JSON.stringify(json.tokenizerConfig, null, 2));
  write('onnx/encoder_model_quantized.onnx', encodeModel(encoderGraph(tables)));
  write('onnx/decoder_model_merged_quantized.onnx', encodeModel(decoderGraph(tables)));
}

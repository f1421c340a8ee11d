/**
 * Translation throughput of the engines present offline, in segments per second.
 * `tsx --conditions=development bench/translation.ts [--quick | --full]`
 * - apertium: 120 subtitle segments per direction sent as batches (blank-line separated, one
 *   process per 100 segments, what ApertiumEngine does) vs one apertium process per segment.
 * - whisper (speech → English): es_everest.mp3 (38 s; the 126 s Spanish talk with --full)
 *   translated by WhisperTranslationEngine, vs the plain transformers.js pipeline (task
 *   translate, chunk_length_s 30) on the same audio.
 */
import { pipeline } from '@huggingface/transformers';
import type { Segment } from '@babelfish/core';
import { ApertiumEngine, disposeWhisperModels, getWhisper, WhisperTranslationEngine } from '@babelfish/ml';
import { translateWithApertium } from '../packages/ml/src/translation/apertium-cli';
import { buildTalk, decodeF32, round, samplePath } from './lib/fixtures';
import { DTYPE, MODEL, useOfflineModels } from './lib/transcribers';
import fs from 'node:fs';

useOfflineModels();
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const SEGMENTS = 120;
const SINGLE = quick ? 8 : 20;

/** The sample transcripts cut at punctuation, repeated to `count` subtitle-sized segments. */
function segments(textFile: string, count: number): Segment[] {
  const pieces = fs.readFileSync(samplePath(textFile), 'utf8').split(/(?<=[,.?!])\s+/).filter(Boolean);
  return Array.from({ length: count }, (_, i) => ({ start: i * 3, end: i * 3 + 2.5, text: pieces[i % pieces.length]! }));
}

const apertium = new ApertiumEngine();
const results: Record<string, unknown> = {};
for (const [from, to, file, mode] of [['en', 'es', 'jfk.txt', 'eng-spa'], ['es', 'en', 'es_everest.txt', 'spa-eng']] as const) {
  const input = segments(file, SEGMENTS);
  let started = performance.now();
  const batched = await apertium.translate({ segments: input, from, to });
  const batchedSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  for (const segment of input.slice(0, SINGLE)) await translateWithApertium(mode, segment.text);
  const singleSeconds = (performance.now() - started) / 1000;
  results[`apertium ${from}→${to}`] = {
    batchedSegmentsPerSecond: round(batched.length / batchedSeconds, 1),
    onePerProcessSegmentsPerSecond: round(SINGLE / singleSeconds, 1),
    speedup: round(batched.length / batchedSeconds / (SINGLE / singleSeconds), 1),
    sample: `${batched[0]!.text} | ${batched[1]!.text}`,
  };
}

const talk = quick ? { wav: samplePath('jfk.wav'), seconds: 11, name: 'jfk' } : full ? buildTalk('talk-es') : { wav: samplePath('es_everest.mp3'), seconds: 37.8, name: 'es_everest' };
const audio = decodeF32(talk.wav);
const from = quick ? 'en' : 'es';
await getWhisper(MODEL, DTYPE);
const whisper = new WhisperTranslationEngine({ modelId: MODEL, dtype: DTYPE });
let started = performance.now();
const english = await whisper.translate({ segments: [], from, to: 'en', audio: async () => audio });
const oursSeconds = (performance.now() - started) / 1000;
await disposeWhisperModels();
const asr = (await pipeline('automatic-speech-recognition', MODEL, { dtype: DTYPE, device: 'cpu' })) as unknown as (
  audio: Float32Array,
  options: Record<string, unknown>,
) => Promise<{ text: string }>;
await asr(audio.subarray(0, 16_000), { language: from === 'es' ? 'spanish' : 'english', task: 'translate' });
started = performance.now();
const plain = await asr(audio, { language: from === 'es' ? 'spanish' : 'english', task: 'translate', chunk_length_s: 30 });
const plainSeconds = (performance.now() - started) / 1000;
results[`whisper ${from}→en (speech, ${round(talk.seconds, 0)} s)`] = {
  segments: english.length,
  segmentsPerSecond: round(english.length / oursSeconds, 1),
  realtime: round(talk.seconds / oursSeconds, 1),
  seconds: round(oursSeconds),
  plainPipelineSeconds: round(plainSeconds),
  speedupVsPlainPipeline: round(plainSeconds / oursSeconds),
  sample: english.slice(0, 2).map((segment) => segment.text).join(' | '),
  plainSample: plain.text.slice(0, 120),
};
console.log(JSON.stringify({ bench: 'translation', ...results }, null, 1));
process.exit(0);

import os from 'node:os';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { getLanguage, wordErrorRate } from '@babelfish/core';
import { applyTransformersEnv, configureModels, disposeWhisperModels, getWhisper, planWindows, type WhisperOptions } from '@babelfish/ml';
import { decodeF32, modelsDir, round, SAMPLE_RATE, type Talk } from './fixtures';

/**
 * The transcribers the speed benchmarks compare, each timed on a warm model (loading is timed
 * apart): the plain transformers.js pipeline (the baseline), the previous Babelfish
 * transcriber (30 s windows through the same pipeline, word timestamps) and the current one.
 */

export const MODEL = 'Xenova/whisper-base';
export const DTYPE = 'q8';

export function useOfflineModels(): void {
  configureModels({ modelsDir, cacheDir: path.join(os.tmpdir(), 'babelfish-bench-cache'), allowRemote: false });
  applyTransformersEnv(env); // the baseline pipelines load through transformers.js itself
}

export type Run = { name: string; seconds: number; wer: number; realtime: number; loadSeconds: number };

type Asr = ((audio: Float32Array, options: Record<string, unknown>) => Promise<{ text: string; chunks?: { text: string }[] }>) & {
  dispose(): Promise<void>;
};

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  // The previous run's garbage (the baseline's fetched attention maps are ~400 MB per window)
  // is collected before the clock starts, not during the next transcriber's run.
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}

function result(name: string, talk: Talk, text: string, seconds: number, loadSeconds: number): Run {
  return { name, seconds: round(seconds), wer: round(wordErrorRate(talk.reference, text), 3), realtime: round(talk.seconds / seconds, 1), loadSeconds: round(loadSeconds) };
}

/** `pipeline('automatic-speech-recognition')` with chunk_length_s 30 (stride 5 s), no VAD, no batching. */
export async function baseline(talk: Talk, options: { threads?: number } = {}): Promise<Run> {
  const [asr, loadSeconds] = await timed(async () => (await loadPipeline(options.threads)) as Asr);
  const audio = decodeF32(talk.wav);
  await asr(audio.subarray(0, SAMPLE_RATE), { language: getLanguage(talk.language).whisper }); // warm-up
  const [output, seconds] = await timed(() => asr(audio, { language: getLanguage(talk.language).whisper, task: 'transcribe', chunk_length_s: 30 }));
  await asr.dispose();
  return result('baseline: transformers.js pipeline, chunk_length_s 30', talk, output.text, seconds, loadSeconds);
}

/** What Babelfish did before: loudness-cut ≤ 30 s windows, each through the pipeline with word timestamps. */
export async function previousTranscriber(talk: Talk): Promise<Run> {
  const [asr, loadSeconds] = await timed(async () => (await loadPipeline()) as Asr);
  const audio = decodeF32(talk.wav);
  const language = getLanguage(talk.language).whisper;
  await asr(audio.subarray(0, SAMPLE_RATE), { language });
  const [text, seconds] = await timed(async () => {
    const words: string[] = [];
    for (const window of planWindows(audio)) {
      const output = await asr(audio.subarray(window.start, window.end), { language, task: 'transcribe', return_timestamps: 'word' });
      words.push(...(output.chunks ?? []).map((chunk) => chunk.text));
    }
    return words.join('');
  });
  await asr.dispose();
  return result('previous Babelfish transcriber (30 s windows, pipeline per window)', talk, text, seconds, loadSeconds);
}

/** The current transcriber (WhisperModel) reading the WAV from disk, with the given settings. */
export async function current(talk: Talk, name: string, options: WhisperOptions = {}): Promise<Run> {
  const [model, loadSeconds] = await timed(() => getWhisper(MODEL, DTYPE, options));
  await model.transcribe(decodeF32(talk.wav).subarray(0, 2 * SAMPLE_RATE), { language: talk.language }); // warm-up
  const [segments, seconds] = await timed(() => model.transcribe({ wavPath: talk.wav }, { language: talk.language }));
  await disposeWhisperModels();
  return result(name, talk, segments.map((segment) => segment.text).join(' '), seconds, loadSeconds);
}

function loadPipeline(threads?: number) {
  return pipeline('automatic-speech-recognition', MODEL, {
    dtype: DTYPE,
    device: 'cpu',
    ...(threads ? { session_options: { intraOpNumThreads: threads } } : {}),
  });
}

/**
 * How long does Whisper inference block the calling thread's event loop?
 * `tsx --conditions=development bench/event-loop-whisper.ts [sample] [--thread]`
 * Prints the event-loop delay histogram (perf_hooks.monitorEventLoopDelay) and the longest gaps
 * seen by a 50 ms interval timer while detectLanguage + transcribe run on the sample.
 */
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { decodePcmF32, extractAudioWav } from '@babelfish/media';
import { configureModels, getWhisper } from '@babelfish/ml';
import fs from 'node:fs';
import os from 'node:os';

const shared = path.resolve(process.env.SHARED_DIR ?? '../shared');
const sampleName = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'es_everest.mp4';
const useThread = process.argv.includes('--thread');
const modelsDir = path.join(shared, 'models');
configureModels({ modelsDir, cacheDir: path.join(os.tmpdir(), 'bf-bench-cache'), allowRemote: false });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bench-'));
const wav = path.join(dir, 'audio.wav');
await extractAudioWav(path.isAbsolute(sampleName) ? sampleName : path.join(shared, 'samples', sampleName), wav, {});
const audio = await decodePcmF32(wav, {});
fs.rmSync(dir, { recursive: true, force: true });

type Model = { detectLanguage(a: Float32Array): Promise<{ language: string }>; transcribe(a: Float32Array, o: { language: string }): Promise<unknown[]> };
let model: Model;
if (useThread) {
  const { WhisperThread } = await import('../apps/worker/src/whisper-thread');
  model = await WhisperThread.start({ modelId: 'Xenova/whisper-base', dtype: 'q8', models: { modelsDir, cacheDir: path.join(os.tmpdir(), 'bf-bench-cache'), allowRemote: false }, options: {} });
} else {
  model = await getWhisper('Xenova/whisper-base', 'q8');
}

const histogram = monitorEventLoopDelay({ resolution: 10 });
const gaps: number[] = [];
let last = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  gaps.push(now - last - 50);
  last = now;
}, 50);
histogram.enable();
const started = performance.now();
const detected = await model.detectLanguage(audio);
const segments = await model.transcribe(audio, { language: detected.language });
const elapsed = performance.now() - started;
histogram.disable();
clearInterval(ticker);

const ms = (ns: number) => Math.round(ns / 1e6);
const sorted = [...gaps].sort((a, b) => b - a);
const blockedTotal = gaps.filter((gap) => gap > 100).reduce((sum, gap) => sum + gap, 0);
console.log(JSON.stringify({
  sample: sampleName,
  mode: useThread ? 'worker_thread' : 'main thread',
  audioSeconds: audio.length / 16000,
  language: detected.language,
  segments: segments.length,
  wallMs: Math.round(elapsed),
  eventLoopDelayMs: { max: ms(histogram.max), p99: ms(histogram.percentile(99)), p90: ms(histogram.percentile(90)), mean: ms(histogram.mean) },
  longestGapsMs: sorted.slice(0, 8).map(Math.round),
  gapsOver1s: gaps.filter((gap) => gap > 1000).length,
  blockedOver100msTotalMs: Math.round(blockedTotal),
}, null, 1));
process.exit(0);

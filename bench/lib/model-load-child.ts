/**
 * One model load in a fresh process, for bench/model-load.ts: `loadWhisperRuntime` of the tree
 * given (this checkout or a baseline's `git archive`), timed, with each onnxruntime session's
 * creation timed apart (onnxruntime-node creates a session synchronously on this thread, so the
 * load is their sum plus our own JavaScript), then the idle RSS, then one transcription of
 * jfk.wav (its text, to compare the trees, and the RSS once every weight has been used).
 * `node --expose-gc --import tsx --conditions=development bench/lib/model-load-child.ts <root> <cacheDir>`
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelsDir, round, samplePath } from './fixtures';
import { DTYPE, MODEL } from './transcribers';

const [root, cacheDir] = process.argv.slice(2) as [string, string];
const ml = (file: string) => import(path.join(root, 'packages/ml/src', file));
const { configureModels } = await ml('index.ts');
const { loadWhisperRuntime } = await ml('whisper-runtime.ts');
const { transcribeSource } = await ml('transcriber.ts');
const { withAudioSource } = await ml('audio-source.ts');

// Every session creation, timed (the trees resolve the same onnxruntime-node, so this is theirs).
// One after the other, as onnxruntime-node runs them anyway (each in a setImmediate on this
// thread), so that each one's time is its own and not the queue's.
const creates: { what: string; seconds: number; cpuSeconds: number }[] = [];
/** CPU time of this process (every thread), which another process's load on the cores changes much less than the wall clock. */
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const create = ort.InferenceSession.create.bind(ort.InferenceSession) as (...args: unknown[]) => Promise<ort.InferenceSession>;
let previous: Promise<unknown> = Promise.resolve();
(ort.InferenceSession as { create: unknown }).create = async (...args: unknown[]) => {
  const turn = previous.catch(() => undefined);
  let done!: () => void;
  previous = new Promise<void>((resolve) => (done = resolve));
  await turn;
  const started = performance.now();
  const cpuStarted = cpu();
  const session = await create(...args).finally(done);
  const source = args[0];
  const what = typeof source === 'string' ? `${path.basename(source)} (${round(fs.statSync(source).size / 1e6, 1)} MB)` : `bytes (${round((source as Uint8Array).length / 1e6, 1)} MB)`;
  creates.push({ what, seconds: round((performance.now() - started) / 1000, 3), cpuSeconds: round(cpu() - cpuStarted, 3) });
  return session;
};

configureModels({ modelsDir, cacheDir, allowRemote: false });
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const memory = () => {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const mb = (field: string) => round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024, 0);
  return { rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile'), hwmMb: mb('VmHWM') };
};
const settle = async () => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return memory();
};

const beforeLoad = await settle();
const started = performance.now();
const cpuStarted = cpu();
const runtime = await loadWhisperRuntime(MODEL, DTYPE);
const wallSeconds = (performance.now() - started) / 1000;
const cpuSeconds = cpu() - cpuStarted;
const sessionSeconds = creates.reduce((sum, entry) => sum + entry.seconds, 0);
const idle = await settle();
const words: { text: string }[] = await withAudioSource({ wavPath: samplePath('jfk.wav') }, (source: unknown) => transcribeSource(runtime, source, { language: 'en', task: 'transcribe', batchSize: 4 }));
const text = words.map((word) => word.text).join('');
const used = await settle();
await runtime.dispose();
console.log(
  JSON.stringify({
    seconds: round(runtime.load.seconds, 3),
    wallSeconds: round(wallSeconds, 3),
    cpuSeconds: round(cpuSeconds, 3),
    cache: `${runtime.load.encoder}/${runtime.load.decoder}`,
    sessionsSeconds: round(sessionSeconds, 3),
    // Tokenizer, configs, mel filters, cache keys: the load less the session creations.
    restSeconds: round(wallSeconds - sessionSeconds, 3),
    creates,
    memory: { beforeLoad, idle, afterTranscription: used },
    textHash: createHash('sha256').update(text).digest('hex').slice(0, 12),
    text: text.slice(0, 60),
  }),
);
process.exit(0);

/**
 * Whisper transcription on onnxruntime's CUDA provider versus the CPU, same model, same talk,
 * same code path (WhisperModel, as a worker runs it): `tsx --conditions=development
 * bench/cuda-vs-cpu.ts [--quick | --full] [--dtype q8|fp32|fp16]`. Prints one JSON object with
 * each device's seconds, × real time and WER, and the CPU/CUDA speed ratio. On the CUDA side the
 * lean encoder takes the model's fp16 file when there is one (lean-encoder.ts).
 * Without a working CUDA provider (no GPU, no driver, onnxruntime's CUDA libraries not installed:
 * run it in the GPU worker image) it says why and exits at once with `skipped`, so `pnpm bench`
 * can list it on every machine.
 */
import { wordErrorRate } from '@babelfish/core';
import { configureModels, disposeWhisperModels, getWhisper, modelSettings, probeCuda, type ExecutionDevice } from '@babelfish/ml';
import { buildTalk, decodeF32, round, SAMPLE_RATE, type Talk } from './lib/fixtures';
import { DTYPE, MODEL, useOfflineModels } from './lib/transcribers';

const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const dtype = flag('--dtype') ?? DTYPE;
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');

const cuda = await probeCuda();
if (!cuda.available) {
  console.error(`cuda-vs-cpu: skipped, no CUDA execution provider here: ${cuda.reason}`);
  console.log(JSON.stringify({ bench: 'cuda-vs-cpu', skipped: true, reason: cuda.reason }, null, 1));
  process.exit(0);
}

useOfflineModels();
type Run = { device: ExecutionDevice; seconds: number; realtime: number; wer: number; loadSeconds: number };

async function transcribeOn(device: ExecutionDevice, talk: Talk): Promise<Run> {
  configureModels({ ...modelSettings(), devices: { transcribe: device, translate: 'cpu' } });
  const loadStarted = performance.now();
  const model = await getWhisper(MODEL, dtype);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  // Warm-up: CUDA allocates and tunes its kernels on the first run; neither side is timed cold.
  await model.transcribe(decodeF32(talk.wav).subarray(0, 2 * SAMPLE_RATE), { language: talk.language });
  const started = performance.now();
  const segments = await model.transcribe({ wavPath: talk.wav }, { language: talk.language });
  const seconds = (performance.now() - started) / 1000;
  await disposeWhisperModels();
  const text = segments.map((segment) => segment.text).join(' ');
  return { device, seconds: round(seconds), realtime: round(talk.seconds / seconds, 1), wer: round(wordErrorRate(talk.reference, text), 3), loadSeconds: round(loadSeconds) };
}

const talk = buildTalk('talk-en', quick ? 1 : 2);
// Alternated (cpu, cuda, cuda, cpu with --full) so that load from other processes falls on both.
const order: ExecutionDevice[] = full ? ['cpu', 'cuda', 'cuda', 'cpu'] : ['cpu', 'cuda'];
const runs: Run[] = [];
for (const device of order) runs.push(await transcribeOn(device, talk));
const total = (device: ExecutionDevice) => runs.filter((run) => run.device === device).reduce((sum, run) => sum + run.seconds, 0);
console.log(
  JSON.stringify(
    { bench: 'cuda-vs-cpu', model: MODEL, dtype, audioSeconds: round(talk.seconds, 1), runs, cudaSpeedup: round(total('cpu') / total('cuda')) },
    null,
    1,
  ),
);
process.exit(0);

/**
 * Child-process probes for bench/memory-2h.ts (its RSS is sampled from outside):
 * `decode FILE` holds the audio the way Babelfish used to — the whole track decoded into one
 * Float32Array, plus the copy that went to the Whisper thread; `vad FILE` scans the whole WAV
 * with Silero VAD, reading it block by block, as the unsplit path now does; `encoder VARIANT`
 * runs the Whisper encoder on four windows as transformers.js loads it (`stock`), with the
 * attention outputs dropped from its graph (`pruned`), and dropped without the memory arena
 * (`lean`, what Babelfish runs).
 */
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { decodePcmF32, openWav } from '@babelfish/media';
import { configureModels, findVadModel, getVad } from '@babelfish/ml';
import { keepGraphOutputs } from '../../packages/ml/src/onnx-outputs';
import { planSource } from '../../packages/ml/src/transcriber';
import { modelsDir, round } from './fixtures';

const [probe, file] = process.argv.slice(2);
const started = performance.now();
if (probe === 'decode') {
  const audio = await decodePcmF32(file!);
  const copy = audio.slice();
  console.log(JSON.stringify({ floatsHeld: audio.length + copy.length, seconds: Math.round((performance.now() - started) / 100) / 10 }));
} else if (probe === 'vad') {
  configureModels({ modelsDir, cacheDir: path.join(os.tmpdir(), 'babelfish-bench-cache'), allowRemote: false });
  const wav = await openWav(file!);
  const windows = await planSource(wav, await getVad(findVadModel()!));
  await wav.close();
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ windows: windows.length, seconds: Math.round(seconds * 10) / 10, realtime: Math.round(wav.length / 16_000 / seconds) }));
} else if (probe === 'encoder') {
  const variant = file!;
  const bytes = readFileSync(path.join(modelsDir, 'Xenova/whisper-base/onnx/encoder_model_quantized.onnx'));
  const model = variant === 'stock' ? bytes : keepGraphOutputs(bytes, new Set(['last_hidden_state']));
  const session = await ort.InferenceSession.create(model, { interOpNumThreads: 1, enableCpuMemArena: variant !== 'lean' });
  const before = process.memoryUsage().rss;
  const input = new ort.Tensor('float32', new Float32Array(80 * 3000).fill(-0.3), [1, 80, 3000]);
  await session.run({ input_features: input }, ['last_hidden_state']);
  const runStarted = performance.now();
  for (let i = 0; i < 4; i++) await session.run({ input_features: input }, ['last_hidden_state']);
  const perWindowMs = (performance.now() - runStarted) / 4;
  console.log(JSON.stringify({ variant, residentAfterRunsMb: round((process.memoryUsage().rss - before) / 1e6, 0), perWindowMs: Math.round(perWindowMs) }));
}
process.exit(0);

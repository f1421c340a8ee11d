/**
 * Child-process probes for bench/memory-2h.ts (its RSS is sampled from outside):
 * `decode FILE` holds the audio the way Babelfish used to — the whole track decoded into one
 * Float32Array, plus the copy that went to the Whisper thread; `vad FILE` scans the whole WAV
 * with Silero VAD, reading it block by block, as the unsplit path now does.
 */
import os from 'node:os';
import path from 'node:path';
import { decodePcmF32, openWav } from '@babelfish/media';
import { configureModels, findVadModel, getVad } from '@babelfish/ml';
import { planSource } from '../../packages/ml/src/transcriber';
import { modelsDir } from './fixtures';

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
}
process.exit(0);

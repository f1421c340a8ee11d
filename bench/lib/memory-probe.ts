/**
 * Child-process probe for bench/memory-2h.ts (its RSS is sampled from outside):
 * `decode FILE` holds the audio the way Babelfish used to — the whole track decoded into one
 * Float32Array, plus the copy that went to the Whisper thread.
 */
import { decodePcmF32 } from '@babelfish/media';

const [probe, file] = process.argv.slice(2);
const started = performance.now();
if (probe === 'decode') {
  const audio = await decodePcmF32(file!);
  const copy = audio.slice();
  console.log(JSON.stringify({ floatsHeld: audio.length + copy.length, seconds: Math.round((performance.now() - started) / 100) / 10 }));
}
process.exit(0);

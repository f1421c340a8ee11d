import { execFileSync } from 'node:child_process';
import { configureModels } from '@babelfish/ml';
import { loadWhisperRuntime } from '../packages/ml/src/whisper-runtime';
import { decodeWindows } from '../packages/ml/src/whisper-decoder';
import { windowWords } from '../packages/ml/src/window-words';
const shared = '/work/shared';
configureModels({ modelsDir: shared + '/models', cacheDir: '/tmp/bfx/cache', allowRemote: false });
function dec(f: string) { const b = execFileSync('ffmpeg', ['-v','error','-i',f,'-ac','1','-ar','16000','-f','f32le','-'], {maxBuffer: 1<<30}); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset+b.length)); }
const jfk = dec(shared + '/samples/jfk.wav');
const ev = dec(shared + '/samples/es_everest.mp3');
const rt = await loadWhisperRuntime('Xenova/whisper-base', 'q8', { threads: Number(process.env.T ?? 0) });
const v = rt.vocabulary;
const lang = (c: string) => Number(rt.parts.tokenizer.convert_tokens_to_ids([`<|${c}|>`])[0]);
for (const [name, audio, code] of [['jfk', jfk, 'en'], ['ev0-30', ev.subarray(0, 16000 * 28), 'es']] as const) {
  const t = performance.now();
  const feats = await rt.features(audio);
  const [out] = await decodeWindows(rt, [{ features: feats, frames: Math.ceil(audio.length / 320) }], [v.startOfTranscript, lang(code), v.task.transcribe]);
  const words = windowWords(rt.parts.tokenizer, out!);
  console.log(name, Math.round(performance.now() - t), 'ms', out!.tokens.length, 'tokens');
  console.log(words.map((w) => `${w.text.trim()}@${w.start.toFixed(2)}-${w.end.toFixed(2)}`).join(' '));
  const t2 = performance.now();
  const ref = await rt.parts(audio, { language: code, task: 'transcribe', return_timestamps: 'word' });
  console.log('ref', Math.round(performance.now() - t2), 'ms');
  console.log(ref.chunks!.map((w) => `${w.text.trim()}@${w.timestamp[0].toFixed(2)}-${(w.timestamp[1] ?? 0).toFixed(2)}`).join(' '));
}
// batch of 4
const feats = await rt.features(ev.subarray(0, 16000 * 28));
const fj = await rt.features(jfk);
for (const B of [1, 2, 4]) {
  const t = performance.now();
  const wins = Array.from({ length: B }, (_, i) => (i % 2 ? { features: fj, frames: Math.ceil(jfk.length / 320) } : { features: feats, frames: 1400 }));
  const outs = await decodeWindows(rt, wins, [v.startOfTranscript, lang('es'), v.task.transcribe]);
  console.log('B', B, Math.round(performance.now() - t), 'ms', outs.map((o) => o.tokens.length));
}

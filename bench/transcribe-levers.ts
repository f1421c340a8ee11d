/**
 * Each speed lever on its own, on the English talk (84 s: JFK six times with 1.5–6 s pauses;
 * `--spanish` for the denser Spanish talk, 113 s of speech and 13 s of pauses):
 * `tsx --conditions=development bench/transcribe-levers.ts`
 * - the previous transcriber (transformers.js generate per 30 s window) vs the lean decoder;
 * - Silero VAD (speech only, cut at pauses) vs loudness-cut 30 s windows;
 * - decoding 4 windows per step vs 1; onnxruntime threads 1 vs 2 (0 = onnxruntime's choice);
 * - encoder: the stock export (attention maps as graph outputs) vs the lean session (hidden
 *   state only); 4 windows in one batched run vs one run each; decoder step: every output vs
 *   only what is read; the output projection dequantized every step vs folded at load;
 * - a warm model (loaded once per worker) vs loading it for a job.
 * Ratios are against the current defaults measured in the same run. `--full` adds the previous
 * transcriber, threads 2 and encoder batching (they take the longest and did not change).
 */
import { disposeWhisperModels, getWhisper } from '@babelfish/ml';
import { loadWhisperRuntime } from '../packages/ml/src/whisper-runtime';
import { buildTalk, decodeF32, round, samplePath } from './lib/fixtures';
import { decoderFetches, decoderWeightFolding, encoderBatching, encoderOutputs } from './lib/micro';
import { current, DTYPE, MODEL, previousTranscriber, useOfflineModels, type Run } from './lib/transcribers';

useOfflineModels();
const talk = buildTalk(process.argv.includes('--spanish') ? 'talk-es' : 'talk-en');
const runs: Run[] = [];
const reference = await current(talk, 'defaults: VAD, batch 4, threads auto');
runs.push(reference);
const full = process.argv.includes('--full');
if (full) runs.push(await previousTranscriber(talk));
runs.push(await current(talk, 'no VAD (loudness-cut 30 s windows)', { vad: false }));
runs.push(await current(talk, 'batch 1 (one window per decoder step)', { batchSize: 1 }));
runs.push(await current(talk, 'threads 1', { threads: 1 }));
// On 2 cores onnxruntime's own choice is 2 threads: this run only tells on bigger machines.
if (full) runs.push(await current(talk, 'threads 2', { threads: 2 }));

const runtime = await loadWhisperRuntime(MODEL, DTYPE);
const micro = {
  encoderOutputs: await encoderOutputs(runtime),
  ...(full ? { encoderBatching: await encoderBatching(runtime, decodeF32(talk.wav)) } : {}),
  decoderStepMs: await decoderFetches(runtime),
};
await runtime.dispose();
const folding = await decoderWeightFolding();
const warm = await warmModel();

console.log(
  JSON.stringify(
    {
      bench: 'transcribe-levers',
      audioSeconds: round(talk.seconds, 1),
      runs: runs.map((run) => ({ ...run, slowdownVsDefaults: round(run.seconds / reference.seconds) })),
      ...micro,
      decoderWeightFolding: folding,
      warm,
    },
    null,
    1,
  ),
);
process.exit(0);

/** A job on a cold worker pays the model load; on a warm one it does not. */
async function warmModel() {
  const jfk = { wavPath: samplePath('jfk.wav') };
  let started = performance.now();
  const model = await getWhisper(MODEL, DTYPE);
  const loadMs = performance.now() - started;
  started = performance.now();
  await model.transcribe(jfk, { language: 'en' });
  const firstMs = performance.now() - started;
  started = performance.now();
  await model.transcribe(jfk, { language: 'en' });
  const warmMs = performance.now() - started;
  await disposeWhisperModels();
  return { sample: 'jfk.wav (11 s)', coldJobMs: Math.round(loadMs + firstMs), warmJobMs: Math.round(warmMs), coldVsWarm: round((loadMs + firstMs) / warmMs, 1) };
}

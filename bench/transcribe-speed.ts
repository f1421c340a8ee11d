/**
 * Transcription speed and accuracy against the baseline (the plain transformers.js ASR
 * pipeline, chunk_length_s 30, no VAD, no batching) on whisper-base q8, side by side in one run.
 * `tsx --conditions=development bench/transcribe-speed.ts [--quick | --full]`
 * Prints one JSON object: per talk, each transcriber's seconds, × real time, WER and its speed-up
 * over the baseline (the machine is shared, so compare ratios, not absolute times).
 */
import { buildTalk, round } from './lib/fixtures';
import { baseline, current, useOfflineModels, type Run } from './lib/transcribers';

useOfflineModels();
const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const talks = quick ? [buildTalk('talk-en')] : [buildTalk('talk-en'), buildTalk('talk-es')];

const report: Record<string, unknown> = {};
for (const talk of talks) {
  // With --full the two alternate twice, so that a burst of load from other processes does not
  // land on one side only; the speed-up is the ratio of the summed times.
  const rounds = full ? 2 : 1;
  const ours: Run[] = [];
  const base: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    // Each goes first once (when there are two rounds): whichever runs second inherits a warmer CPU cache and page cache.
    if (i % 2 === 0) base.push(await baseline(talk));
    ours.push(await current(talk, 'babelfish (VAD + batched lean decoder)'));
    if (i % 2 === 1) base.push(await baseline(talk));
  }
  const total = (runs: Run[]) => runs.reduce((sum, run) => sum + run.seconds, 0);
  report[talk.name] = {
    audioSeconds: round(talk.seconds, 1),
    baseline: base,
    babelfish: ours,
    speedup: round(total(base) / total(ours)),
    werBaseline: base[0]!.wer,
    werBabelfish: ours[0]!.wer,
  };
}
console.log(JSON.stringify({ bench: 'transcribe-speed', ...report }, null, 1));
process.exit(0);

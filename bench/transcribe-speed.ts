/**
 * Transcription speed and accuracy against the baseline (the plain transformers.js ASR
 * pipeline, chunk_length_s 30, no VAD, no batching) on whisper-base q8, side by side in one run.
 * `tsx --conditions=development bench/transcribe-speed.ts [--quick]`
 * For each talk: the text-only baseline and ours alternated twice (so that a burst of load from
 * other processes does not land on one side only; the speed-up is the ratio of summed times),
 * then the baseline once with segment and once with word timestamps (like for like: ours returns
 * word timings). The machine is shared: compare ratios, not absolute times.
 */
import { buildTalk, round } from './lib/fixtures';
import { baseline, current, useOfflineModels, type Run } from './lib/transcribers';

useOfflineModels();
const quick = process.argv.includes('--quick');
const talks = quick ? [buildTalk('talk-en')] : [buildTalk('talk-en'), buildTalk('talk-es')];
const total = (runs: Run[]) => runs.reduce((sum, run) => sum + run.seconds, 0);

const report: Record<string, unknown> = {};
for (const talk of talks) {
  const ours: Run[] = [];
  const base: Run[] = [];
  for (let i = 0; i < (quick ? 1 : 2); i++) {
    base.push(await baseline(talk));
    ours.push(await current(talk, 'babelfish (VAD windows, batched lean decoder, word timestamps)'));
  }
  const timed = quick ? [] : [await baseline(talk, true), await baseline(talk, 'word')];
  const mean = total(ours) / ours.length;
  report[talk.name] = {
    audioSeconds: round(talk.seconds, 1),
    runs: [...base, ...timed, ...ours],
    speedupVsTextOnlyBaseline: round(total(base) / total(ours)),
    ...Object.fromEntries(timed.map((run) => [`speedupVs${run.name.includes('word') ? 'Word' : 'Segment'}TimestampBaseline`, round(run.seconds / mean)])),
    wer: { baselineTextOnly: base[0]!.wer, ...Object.fromEntries(timed.map((run) => [run.name.includes('word') ? 'baselineWord' : 'baselineSegment', run.wer])), babelfish: ours[0]!.wer },
  };
}
console.log(JSON.stringify({ bench: 'transcribe-speed', ...report }, null, 1));
process.exit(0);

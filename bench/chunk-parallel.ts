/**
 * Chunk-parallel transcription across worker processes: one ≥ 5-minute recording (the Spanish
 * talk three times, 6.3 min), split at pauses into 6 chunks (TRANSCRIBE_SPLIT_SECONDS=60,
 * TRANSCRIBE_CHUNK_SECONDS=63), transcribed by 1, 2 and 3 real worker processes on real Redis.
 * `tsx --conditions=development bench/chunk-parallel.ts [--quick | --full]` (--full adds one worker
 * with every core, unsplit and split: what splitting has to beat on one machine, and its cost)
 * Wall time runs from the transcribe job's start to the merge's end (extraction, split, chunks,
 * merge). Each worker gets max(1, cores / workers) onnxruntime threads, as replicas sharing a
 * host would be configured; "1 worker, 1 thread" is the unit a replica on its own core gives.
 */
import os from 'node:os';
import { wordErrorRate, type Transcript } from '@babelfish/core';
import { storageKeys } from '@babelfish/storage';
import { buildTalk, round } from './lib/fixtures';
import { maxConcurrent, startFleet, waitForTranscript } from './lib/worker-fleet';

const quick = process.argv.includes('--quick');
const full = process.argv.includes('--full');
const talk = buildTalk('talk-es', 3);
const cores = os.availableParallelism();
const setups: { workers: number; threads: number; split: boolean }[] = [
  // One unsplit worker with every core: what splitting has to beat on one machine (--full only).
  ...(full ? [{ workers: 1, threads: 0, split: false }] : []),
  { workers: 1, threads: 1, split: true },
  // How much the split itself costs one worker (partly filled windows at chunk ends): --full only.
  ...(full ? [{ workers: 1, threads: 0, split: true }] : []),
  { workers: 2, threads: Math.max(1, Math.floor(cores / 2)), split: true },
  { workers: 3, threads: Math.max(1, Math.floor(cores / 3)), split: true },
].filter((setup) => !quick || setup.split);

const results = [];
for (const setup of setups) {
  const fleet = await startFleet(setup.workers, {
    WHISPER_THREADS: String(setup.threads),
    TRANSCRIBE_SPLIT_SECONDS: setup.split ? '60' : '100000',
    TRANSCRIBE_CHUNK_SECONDS: '63',
  });
  try {
    const jobId = await fleet.submit(talk.wav, { from: talk.language, to: ['en'] });
    const timeline = await waitForTranscript(fleet.config, jobId, 600_000);
    const end = timeline.merge?.finishedOn ?? timeline.first.finishedOn ?? 0;
    const seconds = (end - (timeline.first.processedOn ?? 0)) / 1000;
    const transcript = JSON.parse((await fleet.storage.getBuffer(storageKeys.transcript(jobId))).toString('utf8')) as Transcript;
    const text = transcript.segments.map((segment) => segment.text).join(' ');
    results.push({
      workers: setup.workers,
      threadsPerWorker: setup.threads || `auto (${cores})`,
      split: setup.split,
      chunks: timeline.chunks.length,
      maxChunksAtOnce: maxConcurrent(timeline.chunks),
      seconds: round(seconds),
      // Where the wall time goes: the whole-file job (extraction, and when split the VAD pause
      // cuts and chunk files: serial), the chunks (parallel across workers), the merge.
      phases: {
        firstJobSeconds: round(((timeline.first.finishedOn ?? 0) - (timeline.first.processedOn ?? 0)) / 1000),
        chunksSpanSeconds: timeline.chunks.length
          ? round((Math.max(...timeline.chunks.map((job) => job.finishedOn ?? 0)) - Math.min(...timeline.chunks.map((job) => job.processedOn ?? 0))) / 1000)
          : 0,
        chunkWorkSeconds: round(timeline.chunks.reduce((sum, job) => sum + ((job.finishedOn ?? 0) - (job.processedOn ?? 0)), 0) / 1000),
        mergeSeconds: timeline.merge ? round(((timeline.merge.finishedOn ?? 0) - (timeline.merge.processedOn ?? 0)) / 1000) : 0,
      },
      realtime: round(talk.seconds / seconds, 1),
      wer: round(wordErrorRate(talk.reference, text), 3),
      lastCueEnd: transcript.segments.at(-1)?.end,
    });
  } finally {
    await fleet.stop();
  }
}
const unit = results.find((result) => result.workers === 1 && result.split && result.threadsPerWorker === 1);
const one = results.find((result) => result.workers === 1 && result.split && result.threadsPerWorker !== 1);
console.log(
  JSON.stringify(
    {
      bench: 'chunk-parallel',
      cores,
      audioSeconds: round(talk.seconds, 1),
      runs: results.map((result) => ({
        ...result,
        speedupVs1Worker: one ? round(one.seconds / result.seconds) : undefined,
        speedupVs1Worker1Thread: unit ? round(unit.seconds / result.seconds) : undefined,
      })),
    },
    null,
    1,
  ),
);
process.exit(0);

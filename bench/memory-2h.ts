/**
 * Memory on a 2-hour video, measured end to end: a still picture over 7,200 s of audio that is a
 * faint noise floor (-50 dBFS) with the 38 s Spanish Everest talk once every 10 minutes (12
 * times, 7.6 min of speech in all). One real worker process with every role (transcribe, translate,
 * mux; default settings: audio over 600 s split at pauses into ~300 s chunks) takes the job from
 * upload to a completed Spanish → English job: extraction, the VAD over the whole 2 h, the 24
 * chunks, merge, Apertium, and the MP4 + MKV mux of the 2-hour video. Memory is the summed RSS
 * of the worker's process tree (node, its Whisper thread, ffmpeg children), sampled every
 * 200 ms, reported as the peak per stage and overall.
 * `tsx --conditions=development bench/memory-2h.ts [--quick]`
 * For comparison, a child process holds the same 2 h the way Babelfish used to (the whole track
 * decoded into one Float32Array, plus the copy sent to the Whisper thread).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { storageKeys } from '@babelfish/storage';
import { round, sampleTreeRss } from './lib/fixtures';
import { SPEECH_PERIOD_SECONDS, TWO_HOURS_SECONDS, twoHourVideo, twoHourWav } from './lib/two-hours';
import { startFleet, waitFor } from './lib/worker-fleet';

const HOURS_SECONDS = TWO_HOURS_SECONDS;
const PERIOD_SECONDS = SPEECH_PERIOD_SECONDS;
const video = twoHourVideo();
const report: Record<string, unknown> = { bench: 'memory-2h', videoSeconds: HOURS_SECONDS, speechEverySeconds: PERIOD_SECONDS };

const fleet = await startFleet(1, { WORKER_ROLES: 'transcribe,translate,mux', WORKER_CONCURRENCY: '1' });
try {
  const pid = fleet.workers[0]!.child.pid!;
  const idleMb = sampleTreeRss(pid).stop().peakMb;
  const sampler = sampleTreeRss(pid);
  const started = Date.now();
  const jobId = await fleet.submit(video, { from: 'es', to: ['en'] });
  // The stage the job row is in, noted alongside the memory samples.
  const stages: { stage: string; at: number }[] = [];
  const job = await waitFor(
    'the 2-hour job',
    async () => {
      const current = await fleet.jobs.get(jobId);
      if (!current) return undefined;
      if (stages.at(-1)?.stage !== current.stage) stages.push({ stage: current.stage, at: Date.now() - started });
      if (current.status === 'failed') throw new Error(`the 2-hour job failed: ${current.error}`);
      return current.status === 'completed' ? current : undefined;
    },
    900_000,
    200,
  );
  const { samples } = sampler.stop();
  const seconds = (Date.now() - started) / 1000;
  const transcript = JSON.parse((await fleet.storage.getBuffer(storageKeys.transcript(jobId))).toString('utf8')) as {
    segments?: { text: string }[];
  };
  const outputs = await fleet.jobs.listOutputs(jobId);
  report.worker = {
    idleMb: round(idleMb, 0),
    seconds: round(seconds, 1),
    realtime: round(HOURS_SECONDS / seconds, 0),
    stages: stages.map(({ stage, at }, i) => {
      const end = stages[i + 1]?.at ?? Number.POSITIVE_INFINITY;
      const inStage = samples.filter((sample) => sample.at >= at && sample.at < end).map((sample) => sample.mb);
      return { stage, seconds: round((Math.min(end, seconds * 1000) - at) / 1000, 1), peakRssMb: round(Math.max(0, ...inStage), 0) };
    }),
    peakRssMb: round(Math.max(...samples.map((sample) => sample.mb)), 0),
    segments: transcript.segments?.length,
    everestMentions: (transcript.segments ?? []).filter((segment) => /everest/i.test(segment.text)).length,
    outputs: outputs.map((output) => `${output.name} (${round(output.bytes / 1e6, 1)} MB)`),
    status: job.status,
  };
} finally {
  await fleet.stop();
}

const wav = await twoHourWav();
report.wholeFileDecodePlusThreadCopyMb = await childPeakMb('decode', wav);
console.log(JSON.stringify(report, null, 1));
process.exit(0);

/** Peak RSS (MB) of a child that runs one of the memory probes in bench/lib/memory-probe.ts. */
async function childPeakMb(probe: string, file: string): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', path.join(import.meta.dirname, 'lib/memory-probe.ts'), probe, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const sampler = sampleTreeRss(child.pid!, 100);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const { peakMb } = sampler.stop();
  return { peakRssMb: round(peakMb, 0), ...(JSON.parse(output || '{}') as object) };
}

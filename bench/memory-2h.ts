/**
 * Memory on a 2-hour video (a still image + the Spanish talk looped to 7,200 s), measured as the
 * summed RSS of the worker's process tree (node, its Whisper thread, ffmpeg children), sampled
 * every 200 ms. `tsx --conditions=development bench/memory-2h.ts [--quick]`
 * 1. A real worker (default settings: split above 600 s into ~300 s chunks) takes the job:
 *    extraction and the split run over the whole 2 h; then it transcribes `CHUNKS` chunks (about
 *    300 s each) and is stopped — transcribing all 24 would take far longer than the benchmark
 *    budget, and every chunk is the same bounded work, so the peak is read per chunk to show it
 *    does not grow. 2. The old way of holding the audio (whole-file Float32Array decode + the
 *    copy sent to the Whisper thread) on the same 2 h, in a child process, for comparison.
 *    3. (full run) the VAD scan of the whole 2 h WAV, the stage that scales with length when a
 *    recording is not split, read block by block.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { extractAudioWav } from '@babelfish/media';
import { bullJobId, createRedisConnection, QueueName } from '@babelfish/queue';
import { benchDir, buildTalk, round, sampleTreeRss } from './lib/fixtures';
import { startFleet, waitFor } from './lib/worker-fleet';

const quick = process.argv.includes('--quick');
const CHUNKS = quick ? 1 : 2;
const video = twoHourVideo();
const report: Record<string, unknown> = { bench: 'memory-2h', videoSeconds: 7200 };

// 1. The worker on the real job.
const fleet = await startFleet(1, { WORKER_CONCURRENCY: '1' });
try {
  const pid = fleet.workers[0]!.child.pid!;
  const idleMb = sampleTreeRss(pid).stop().peakMb;
  const sampler = sampleTreeRss(pid);
  const started = Date.now();
  const jobId = await fleet.submit(video, { from: 'es', to: ['en'] });
  const connection = createRedisConnection(fleet.config.redisUrl, 'bench-memory');
  const queue = new Queue(QueueName.Transcribe, { connection, prefix: fleet.config.queuePrefix });
  const marks: { phase: string; atMs: number }[] = [];
  const mark = (phase: string) => marks.push({ phase, atMs: Date.now() - started });
  const done = (id: string) => async () => ((await Job.fromId(queue, id))?.finishedOn ? true : undefined);
  await waitFor('extraction and split', done(bullJobId.transcribe(jobId, 1)), 600_000, 200);
  mark('extracted + split');
  for (let i = 0; i < CHUNKS; i++) {
    await waitFor(`chunk ${i}`, done(bullJobId.transcribeChunk(jobId, 1, i)), 600_000, 200);
    mark(`chunk ${i} transcribed`);
  }
  const { samples } = sampler.stop();
  const first = await Job.fromId(queue, bullJobId.transcribe(jobId, 1));
  await queue.close();
  connection.disconnect();
  let from = 0;
  report.worker = {
    chunksQueued: (first?.returnvalue as { chunks?: number } | undefined)?.chunks,
    idleMb: round(idleMb, 0),
    phases: marks.map(({ phase, atMs }) => {
      const peak = Math.max(...samples.filter((sample) => sample.at >= from && sample.at <= atMs).map((sample) => sample.mb));
      const seconds = round((atMs - from) / 1000, 1);
      from = atMs;
      return { phase, seconds, peakRssMb: round(peak, 0) };
    }),
    peakRssMb: round(Math.max(...samples.map((sample) => sample.mb)), 0),
  };
} finally {
  await fleet.stop();
}

// 2. and 3. in child processes, on the extracted 2 h WAV.
const wav = path.join(benchDir(), 'two-hours.wav');
if (!fs.existsSync(wav)) await extractAudioWav(video, wav);
report.wholeFileDecodePlusThreadCopyMb = await childPeakMb('decode', wav);
if (!quick) report.streamingVadScanMb = await childPeakMb('vad', wav);
console.log(JSON.stringify(report, null, 1));
process.exit(0);

/** 7,200 s of a still picture with the Spanish talk looped under it (stream-copied audio). */
function twoHourVideo(): string {
  const file = path.join(benchDir(), 'two-hours.mp4');
  if (fs.existsSync(file)) return file;
  const talk = buildTalk('talk-es');
  const audio = path.join(benchDir(), 'talk-es.m4a');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', talk.wav, '-c:a', 'aac', '-b:a', '64k', audio]);
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=0x203040:s=320x240:r=1',
    '-stream_loop', '-1', '-i', audio,
    '-t', '7200', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'stillimage', '-pix_fmt', 'yuv420p',
    '-c:a', 'copy', '-movflags', '+faststart', file,
  ]);
  return file;
}

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

/**
 * The mux stage (runMuxStage: SRT/VTT/ASS files, MP4 + MKV with the subtitle tracks, quality
 * report, outputs stored) against the bare ffmpeg commands that make the same two videos.
 * `tsx --conditions=development bench/mux-overhead.ts [--quick]`
 * On a 5-minute and a 30-minute video (es_everest.mp4 looped, stream copy) with a cue every 3 s
 * in Spanish (source) and English. A first, untimed round warms the worker up (modules load
 * once per worker, not per job); then the two are alternated, each going first in turn; the
 * summed times and the median of the per-round ratios are printed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toSrt } from '@babelfish/media';
import { runMuxStage } from '@babelfish/pipeline';
import { saveTranscriptForBench } from './lib/mux-fixture';
import { benchDir, round, samplePath } from './lib/fixtures';
import { createJob, startServices, timed } from './lib/in-process';

const quick = process.argv.includes('--quick');
const rounds = quick ? 2 : 6;
const lengths = quick ? [300] : [300, 1800];
const results: Record<string, unknown>[] = [];

const services = await startServices();
try {
  for (const seconds of lengths) results.push(await compare(seconds));
} finally {
  await services.stop();
}
console.log(JSON.stringify({ bench: 'mux-overhead', rounds, videos: results }, null, 1));
process.exit(0);

async function compare(seconds: number) {
  const loops = Math.round(seconds / 37.8);
  const video = path.join(benchDir(), `everest-x${loops}.mp4`);
  if (!fs.existsSync(video)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(loops - 1), '-i', samplePath('es_everest.mp4'), '-c', 'copy', video]);
  const jobId = await createJob(services, video, { from: 'es', to: ['en'] });
  const { source, english } = await saveTranscriptForBench(services.ctx, jobId, seconds);
  const dir = fs.mkdtempSync(path.join(benchDir(), 'mux-'));
  const en = path.join(dir, 'en.srt');
  fs.writeFileSync(en, toSrt(english));
  fs.writeFileSync(path.join(dir, 'es.srt'), toSrt(source));
  // What the stage's two ffmpeg runs do, typed by hand: copy picture and sound, add the track.
  const bare = async () => {
    for (const [container, codec] of [['mp4', 'mov_text'], ['mkv', 'srt']] as const) {
      // prettier-ignore
      execFileSync('ffmpeg', [
        '-v', 'error', '-y', '-i', video, '-i', en, '-map', '0:v', '-map', '0:a', '-map', '1:0', '-c:v', 'copy', '-c:a', 'copy',
        '-c:s', codec, ...(container === 'mp4' ? ['-movflags', '+faststart'] : []), '-metadata:s:s:0', 'language=eng',
        path.join(dir, `bare.${container}`),
      ]);
    }
  };
  const stage = async () => {
    await runMuxStage(services.ctx, jobId);
  };
  await stage();
  await bare();
  let stageSeconds = 0;
  let bareSeconds = 0;
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ([stage, bare] as const) : ([bare, stage] as const);
    const took = new Map<unknown, number>();
    for (const run of order) took.set(run, (await timed(run))[1]);
    stageSeconds += took.get(stage)!;
    bareSeconds += took.get(bare)!;
    ratios.push(took.get(stage)! / took.get(bare)!);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    videoSeconds: seconds,
    stageSeconds: round(stageSeconds / rounds, 3),
    bareFfmpegSeconds: round(bareSeconds / rounds, 3),
    overheadPercent: round((100 * (stageSeconds - bareSeconds)) / bareSeconds, 1),
    // Per-round ratios, whose median a burst of load on one side moves least.
    medianOverheadPercent: round(100 * (median(ratios) - 1), 1),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

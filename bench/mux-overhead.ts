/**
 * The mux stage (runMuxStage: SRT/VTT/ASS files, MP4 + MKV with the subtitle tracks, quality
 * report, outputs stored) against the bare ffmpeg commands that make the same two videos.
 * `tsx --conditions=development bench/mux-overhead.ts [--quick]`
 * On a 5-minute video (es_everest.mp4 looped 8×, stream copy) with a cue every 3 s in Spanish
 * (source) and English; the two are alternated 3 times and the times summed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toSrt } from '@babelfish/media';
import { runMuxStage } from '@babelfish/pipeline';
import { saveTranscriptForBench } from './lib/mux-fixture';
import { benchDir, round, samplePath } from './lib/fixtures';
import { createJob, startServices, timed } from './lib/in-process';

const rounds = process.argv.includes('--quick') ? 1 : 3;
const video = path.join(benchDir(), 'everest-x8.mp4');
if (!fs.existsSync(video)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '7', '-i', samplePath('es_everest.mp4'), '-c', 'copy', video]);

const services = await startServices();
try {
  const jobId = await createJob(services, video, { from: 'es', to: ['en'] });
  const { source, english } = await saveTranscriptForBench(services.ctx, jobId, 300);
  const dir = fs.mkdtempSync(path.join(benchDir(), 'mux-'));
  const en = path.join(dir, 'en.srt');
  fs.writeFileSync(en, toSrt(english));
  fs.writeFileSync(path.join(dir, 'es.srt'), toSrt(source));
  // What the stage's two ffmpeg runs do, typed by hand: copy picture and sound, add the track.
  const bare = () => {
    for (const [container, codec] of [['mp4', 'mov_text'], ['mkv', 'srt']] as const) {
      execFileSync('ffmpeg', [
        '-v', 'error', '-y', '-i', video, '-i', en, '-map', '0:v', '-map', '0:a', '-map', '1:0', '-c:v', 'copy', '-c:a', 'copy',
        '-c:s', codec, ...(container === 'mp4' ? ['-movflags', '+faststart'] : []), '-metadata:s:s:0', 'language=eng',
        path.join(dir, `bare.${container}`),
      ]);
    }
  };
  let stageSeconds = 0;
  let bareSeconds = 0;
  for (let i = 0; i < rounds; i++) {
    stageSeconds += (await timed(() => runMuxStage(services.ctx, jobId)))[1];
    bareSeconds += (await timed(async () => bare()))[1];
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({
    bench: 'mux-overhead',
    videoSeconds: 300,
    rounds,
    stageSeconds: round(stageSeconds / rounds, 3),
    bareFfmpegSeconds: round(bareSeconds / rounds, 3),
    overheadPercent: round((100 * (stageSeconds - bareSeconds)) / bareSeconds, 1),
  }, null, 1));
} finally {
  await services.stop();
}
process.exit(0);

/**
 * What the existing shortcuts save, in process (SQLite, local storage, in-process Whisper):
 * `tsx --conditions=development bench/reuse.ts`
 * - content-hash dedup: the transcribe stage of a second job with the same bytes (transcript
 *   and audio copied) vs the first job's, which ran Whisper;
 * - adding a language to a finished job (translate + mux only, as POST /v1/jobs/:id/languages
 *   queues) vs running the whole job again with that language.
 * On the English talk (84 s, as a video: the talk under a still picture).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runJobInProcess, runMuxStage, runTranscribeStage, runTranslateStage } from '@babelfish/pipeline';
import { benchDir, buildTalk, round } from './lib/fixtures';
import { createJob, startServices, timed } from './lib/in-process';

const talk = buildTalk('talk-en');
const video = path.join(benchDir(), 'talk-en.mp4');
// prettier-ignore
if (!fs.existsSync(video)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x203040:s=320x240:r=5', '-i', talk.wav, '-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', video]);

const services = await startServices();
const { ctx } = services;
try {
  await (await ctx.whisper()).transcribe(new Float32Array(16_000), { language: 'en' }); // model loaded and warm
  const first = await createJob(services, video, { from: 'en', to: ['en'], contentHash: 'bench-same-bytes' });
  const [, firstTranscribe] = await timed(() => runTranscribeStage(ctx, first));
  await runTranslateStage(ctx, first, 'en');
  await runMuxStage(ctx, first);
  const second = await createJob(services, video, { from: 'en', to: ['en'], contentHash: 'bench-same-bytes' });
  const [, reusedTranscribe] = await timed(() => runTranscribeStage(ctx, second));

  // Add Spanish to the finished first job: what the route does, then the two queued stages.
  const [, addLanguage] = await timed(async () => {
    await ctx.jobs.addTargetLanguages(first, ['es']);
    await runTranslateStage(ctx, first, 'es');
    await runMuxStage(ctx, first);
  });
  const fresh = await createJob(services, video, { from: 'en', to: ['en', 'es'] });
  const [, fullRun] = await timed(() => runJobInProcess(ctx, fresh));
  console.log(JSON.stringify({
    bench: 'reuse',
    audioSeconds: round(talk.seconds, 1),
    dedup: { firstTranscribeSeconds: round(firstTranscribe), reusedTranscribeSeconds: round(reusedTranscribe), speedup: round(firstTranscribe / reusedTranscribe, 1) },
    addLanguage: { translateAndMuxSeconds: round(addLanguage), wholeJobAgainSeconds: round(fullRun), speedup: round(fullRun / addLanguage, 1) },
  }, null, 1));
} finally {
  await services.stop();
}
process.exit(0);

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { configureModels, getWhisper } from '@babelfish/ml';
import { EspeakTtsEngine, renderDubTrack, muxDubbedAudio, parseSrt, decodePcmF32 } from '@babelfish/media';
import { getLanguage } from '@babelfish/core';
const cues = parseSrt(readFileSync('/tmp/bf-dev/cli/es_everest.en.srt', 'utf8'));
configureModels({ modelsDir: '/work/shared/models', cacheDir: '/tmp/bf-dev/cache', allowRemote: false });
const model = await getWhisper('Xenova/whisper-base', 'q8');
class Voice extends EspeakTtsEngine { constructor(private v: string, wpm: number) { super({ wordsPerMinute: wpm }); } override voiceFor() { return this.v; } }
for (const [voice, wpm, mix] of [['en-us', 140, true], ['en-us', 150, true], ['en-us', 155, true]] as const) {
  await renderDubTrack({ cues, language: 'en', engine: new Voice(voice, wpm), output: '/tmp/bf-dev/v.wav', durationSeconds: 37.658, workDir: '/tmp/bf-dev' });
  let file = '/tmp/bf-dev/v.wav';
  if (mix) {
    await muxDubbedAudio({ video: '/work/shared/samples/es_everest.mp4', tracks: [{ wav: file, language: getLanguage('en') }], originalLanguage: getLanguage('es'), output: '/tmp/bf-dev/v.mp4' });
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', '/tmp/bf-dev/v.mp4', '-map', '0:a:1', '-ac', '1', '-ar', '16000', '/tmp/bf-dev/v1.wav']);
    file = '/tmp/bf-dev/v1.wav';
  }
  const segs = await model.transcribe(await decodePcmF32(file), { language: 'en', task: 'transcribe' });
  const text = segs.map((s) => s.text).join(' ');
  console.log(voice, wpm, mix, /everest/i.test(text), /oxygen/i.test(text), text.slice(0, 110));
}

import { getWhisper, disposeWhisperModels } from '@babelfish/ml';
import { buildTalk } from './lib/fixtures';
import { useOfflineModels } from './lib/transcribers';
import { wordErrorRate } from '@babelfish/core';
useOfflineModels();
for (const name of ['talk-es', 'talk-en']) {
  const talk = buildTalk(name);
  const m = await getWhisper('Xenova/whisper-base', 'q8');
  const t = performance.now();
  const segs = await m.transcribe({ wavPath: talk.wav }, { language: talk.language });
  const text = segs.map((s) => s.text).join(' ');
  console.log(name, wordErrorRate(talk.reference, text).toFixed(3), Math.round(performance.now() - t), 'ms');
  if (process.env.V) console.log(text);
  await disposeWhisperModels();
}

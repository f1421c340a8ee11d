import { readFileSync } from 'node:fs';
import { defaultSubtitleRules, segmentTrack, sentencesFromSegments, segmentTranslation, trackQuality, summarizeQuality } from '@babelfish/subtitles';
import { ApertiumEngine } from '@babelfish/ml';
const rules = defaultSubtitleRules;
for (const [file, from, to] of [['/tmp/bf-dev/jfk.json', 'en', 'es'], ['/tmp/bf-dev/everest.json', 'es', 'en']] as const) {
  const t = JSON.parse(readFileSync(file, 'utf8'));
  const cues = segmentTrack(t.segments, rules, { language: from, mediaDuration: t.durationSeconds });
  for (const c of cues) console.log(c.start.toFixed(3), c.end.toFixed(3), JSON.stringify(c.text));
  console.log(summarizeQuality(trackQuality(from, 'source', cues, rules)), trackQuality(from, 'source', cues, rules).issues);
  const sentences = sentencesFromSegments(t.segments, from);
  const tr = await new ApertiumEngine().translate({ segments: sentences.map((s) => ({ start: s.start, end: s.end, text: s.text })), from, to });
  console.log(tr.map((s) => s.text));
  const tcues = segmentTranslation(sentences, tr.map((s) => s.text), rules, { language: to, mediaDuration: t.durationSeconds });
  for (const c of tcues) console.log(c.start.toFixed(3), c.end.toFixed(3), JSON.stringify(c.text));
  console.log(summarizeQuality(trackQuality(to, 'translation', tcues, rules)), trackQuality(to, 'translation', tcues, rules).issues);
}

import type { Segment, Transcript } from '@babelfish/core';
import { saveTranscript, type StageContext } from '@babelfish/pipeline';
import { samplePath } from './fixtures';
import fs from 'node:fs';

/** A Spanish transcript with a cue every 3 s over `seconds`, and its "English" track, as the mux stage finds them. */
export async function saveTranscriptForBench(ctx: StageContext, jobId: string, seconds: number): Promise<{ source: Segment[]; english: Segment[] }> {
  const sentences = fs.readFileSync(samplePath('es_everest.txt'), 'utf8').split(/(?<=[,.?!])\s+/).filter(Boolean);
  const source = Array.from({ length: Math.floor(seconds / 3) }, (_, i) => ({ start: i * 3, end: i * 3 + 2.5, text: sentences[i % sentences.length]! }));
  const english = source.map((segment) => ({ ...segment, text: `(en) ${segment.text}` }));
  const transcript: Transcript = { language: 'es', languageDetected: false, durationSeconds: seconds, segments: source };
  await saveTranscript(ctx, jobId, transcript);
  await ctx.subtitles.save({ jobId, language: 'en', kind: 'translation', origin: 'engine', segments: english });
  return { source, english };
}

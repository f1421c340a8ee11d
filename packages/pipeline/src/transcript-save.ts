import type { Transcript } from '@babelfish/core';
import type { SubtitleOrigin } from '@babelfish/db';
import { storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';

/** The full transcript (with word timings) stays in storage; the editable track goes in the database. */
export async function saveTranscript(ctx: StageContext, jobId: string, transcript: Transcript, origin: SubtitleOrigin = 'engine'): Promise<void> {
  await ctx.storage.putBuffer(storageKeys.transcript(jobId), JSON.stringify(transcript));
  await ctx.subtitles.save({ jobId, language: transcript.language, kind: 'source', origin, segments: transcript.segments });
}

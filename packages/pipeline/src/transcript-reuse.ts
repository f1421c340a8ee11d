import type { Transcript } from '@babelfish/core';
import type { JobRecord } from '@babelfish/db';
import { storageKeys } from '@babelfish/storage';
import type { StageContext } from './context';
import { readJson } from './load-job';

/**
 * Content-hash dedup: when the same owner already transcribed the same bytes (in the language
 * asked for, if one was, and from the same audio track), copy that transcript and audio instead of running Whisper again.
 * Limited to the same owner, so timing cannot reveal what other people uploaded.
 */
export async function reuseEarlierTranscript(ctx: StageContext, job: JobRecord): Promise<Transcript | undefined> {
  for (const earlier of await ctx.jobs.findSameContent(job)) {
    const transcriptKey = storageKeys.transcript(earlier.id);
    if (!(await ctx.storage.stat(transcriptKey)) || !(await ctx.storage.stat(storageKeys.audio(earlier.id)))) continue;
    const transcript = await readJson<Transcript>(ctx, transcriptKey);
    if (job.sourceLanguage && job.sourceLanguage !== transcript.language) continue;
    // A job that asks for detection does not take a language someone else imposed (a wrong `from`
    // would spread to every later upload of the same bytes): only a detected one, or its own run.
    if (!job.sourceLanguage && !transcript.languageDetected) continue;
    // Same bytes, another audio track (the dub instead of the original): a different transcript.
    if ((earlier.media?.audio?.track ?? 0) !== (job.media?.audio?.track ?? 0)) continue;

    await ctx.storage.withLocalFile(storageKeys.audio(earlier.id), (file) => ctx.storage.putFile(storageKeys.audio(job.id), file));
    await ctx.storage.putBuffer(storageKeys.transcript(job.id), JSON.stringify(transcript));
    await ctx.jobs.setMediaDuration(job.id, transcript.durationSeconds);
    await ctx.jobs.setLanguages(job.id, { source: transcript.language, detected: transcript.languageDetected ? transcript.language : null });
    await ctx.subtitles.save({ jobId: job.id, language: transcript.language, kind: 'source', origin: 'engine', segments: transcript.segments });
    ctx.logger.info('transcript reused', { jobId: job.id, from: earlier.id });
    return transcript;
  }
  return undefined;
}

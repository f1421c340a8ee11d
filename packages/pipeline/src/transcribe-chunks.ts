import path from 'node:path';
import { AppError, type Transcript } from '@babelfish/core';
import { openWav, writeWavRange } from '@babelfish/media';
import { findVadModel, getVad, pauseCuts, SAMPLE_RATE, type TimedToken } from '@babelfish/ml';
import { storageKeys } from '@babelfish/storage';
import { mergeChunkWords, type ChunkWords } from './chunk-merge';
import type { StageContext } from './context';
import { loadJob, readJson } from './load-job';
import { createStageReporter } from './progress';
import { saveTranscript } from './transcript-save';

/**
 * Chunk-parallel transcription of long recordings. The transcribe job cuts the extracted WAV at
 * pauses into chunks of about equal length and stores each; the worker queues one child job per
 * chunk under a merge job (a BullMQ flow), so every transcribe worker takes chunks of the same
 * recording; the merge joins their words into one transcript and the pipeline goes on from there.
 */

/** Share of the stage's bar taken by extraction and language detection (as in transcribe-stage). */
export const EXTRACT_SHARE = 10;

export type ChunkRange = { index: number; startSeconds: number; endSeconds: number };

export type ChunkJob = ChunkRange & { jobId: string; run: number; count: number; language: string };

export type MergeJob = {
  jobId: string;
  run: number;
  count: number;
  language: string;
  detected: { language: string; probability: number } | null;
  durationSeconds: number;
};

const chunksPrefix = (jobId: string, run: number) => `${storageKeys.jobPrefix(jobId)}/chunks/${run}`;
/** Chunk audio is deleted after the merge; the words stay (small) so that a re-run merge still works. */
const chunkAudioPrefix = (jobId: string, run: number) => `${chunksPrefix(jobId, run)}/audio`;
const chunkAudioKey = (jobId: string, run: number, index: number) => `${chunkAudioPrefix(jobId, run)}/${index}.wav`;
const chunkWordsKey = (jobId: string, run: number, index: number) => `${chunksPrefix(jobId, run)}/words/${index}.json`;

/** Cuts `wavPath` into chunks of about `chunkSeconds` (at least two), in pauses, and stores each. */
export async function storeChunks(ctx: StageContext, jobId: string, run: number, wavPath: string, chunkSeconds: number): Promise<ChunkRange[]> {
  const wav = await openWav(wavPath);
  try {
    const parts = Math.max(2, Math.round(wav.length / SAMPLE_RATE / chunkSeconds));
    const vadFile = findVadModel();
    const ranges = await pauseCuts(wav, parts, vadFile ? await getVad(vadFile) : undefined);
    const chunks: ChunkRange[] = [];
    for (const [index, range] of ranges.entries()) {
      const file = path.join(path.dirname(wavPath), `chunk-${index}.wav`);
      await writeWavRange(wav, range.start, range.end, file);
      await ctx.storage.putFile(chunkAudioKey(jobId, run, index), file, { move: true });
      chunks.push({ index, startSeconds: range.start / SAMPLE_RATE, endSeconds: range.end / SAMPLE_RATE });
    }
    return chunks;
  } finally {
    await wav.close();
  }
}

/**
 * One chunk's words, in recording time, stored for the merge. A chunk whose words are already
 * stored (its worker was stopped or killed after storing them, before BullMQ heard) is not
 * transcribed again. `signal` stops Whisper before its next windows (cancel, or a worker
 * handing the chunk back on SIGTERM).
 */
export async function runTranscribeChunk(ctx: StageContext, chunk: ChunkJob, signal?: AbortSignal): Promise<{ words: number; reused?: true }> {
  const wordsKey = chunkWordsKey(chunk.jobId, chunk.run, chunk.index);
  if (await ctx.storage.stat(wordsKey)) {
    const stored = await readJson<ChunkWords>(ctx, wordsKey);
    ctx.logger.info('chunk already transcribed', { jobId: chunk.jobId, run: chunk.run, chunk: chunk.index });
    return { words: stored.words.length, reused: true };
  }
  const job = await loadJob(ctx, chunk.jobId);
  const progress = createStageReporter(ctx, job, 'transcribe');
  const whisper = await ctx.whisper(progress.download);
  ctx.logger.info('transcribing a chunk', { jobId: chunk.jobId, run: chunk.run, chunk: chunk.index, count: chunk.count });
  const words = await ctx.storage.withLocalFile(chunkAudioKey(chunk.jobId, chunk.run, chunk.index), (file) =>
    whisper.transcribeWords({ wavPath: file }, { language: chunk.language, signal }),
  );
  const stored: ChunkWords = {
    startSeconds: chunk.startSeconds,
    endSeconds: chunk.endSeconds,
    words: words.map((word): TimedToken => ({ text: word.text, start: word.start + chunk.startSeconds, end: word.end + chunk.startSeconds })),
  };
  await ctx.storage.putBuffer(wordsKey, JSON.stringify(stored));
  ctx.logger.info('chunk transcribed', { jobId: chunk.jobId, run: chunk.run, chunk: chunk.index, words: words.length });
  // Chunks finish on several workers in any order: progress is the share of chunks done so far.
  let done = 0;
  for (let index = 0; index < chunk.count; index++) if (await ctx.storage.stat(chunkWordsKey(chunk.jobId, chunk.run, index))) done++;
  progress.report(EXTRACT_SHARE + ((100 - EXTRACT_SHARE - 1) * done) / chunk.count, `Transcribed ${done} of ${chunk.count} parts`);
  await progress.flush();
  return { words: words.length };
}

/** Joins the chunks' words into the job's transcript (once every chunk is done). */
export async function runTranscribeMerge(ctx: StageContext, merge: MergeJob): Promise<Transcript> {
  const job = await loadJob(ctx, merge.jobId);
  const progress = createStageReporter(ctx, job, 'transcribe');
  const chunks: ChunkWords[] = [];
  for (let index = 0; index < merge.count; index++) chunks.push(await readJson<ChunkWords>(ctx, chunkWordsKey(merge.jobId, merge.run, index)));
  const segments = mergeChunkWords(chunks, merge.durationSeconds);
  if (segments.length === 0) {
    throw new AppError('MEDIA_PROCESSING_FAILED', 'No speech was found in the audio track, so there is nothing to translate');
  }
  const transcript: Transcript = {
    language: merge.language,
    languageDetected: merge.detected !== null,
    languageProbability: merge.detected?.probability,
    durationSeconds: merge.durationSeconds,
    segments,
  };
  await saveTranscript(ctx, merge.jobId, transcript);
  await ctx.storage.deletePrefix(chunkAudioPrefix(merge.jobId, merge.run));
  progress.report(100, 'Transcribed');
  await progress.flush();
  return transcript;
}

import type { Segment } from '@babelfish/core';
import { cleanWordTimes, segmentWords, type TimedToken } from '@babelfish/ml';

/**
 * Joins the words of a recording's chunks into one transcript. Chunks are cut in pauses and do
 * not overlap, and their words carry recording time (the chunk's start was added), so the join
 * is a concatenation; subtitles are then cut from all the words at once, so a sentence that
 * crosses a seam is segmented exactly as it would be without one.
 *
 * Two guards for the seam itself: a word timed past its chunk's end (Whisper's last word can
 * run into the padding) is pulled back inside it, and a word repeated on both sides of a seam
 * with overlapping times is kept once.
 */

export type ChunkWords = { startSeconds: number; endSeconds: number; words: TimedToken[] };

export function mergeChunkWords(chunks: readonly ChunkWords[], durationSeconds: number): Segment[] {
  const merged: TimedToken[] = [];
  let previous: TimedToken | undefined; // as Whisper timed it, before clamping
  for (const chunk of [...chunks].sort((a, b) => a.startSeconds - b.startSeconds)) {
    for (const word of chunk.words) {
      if (previous && isSeamDuplicate(previous, word, chunk.startSeconds)) continue;
      const start = clamp(word.start, chunk.startSeconds, chunk.endSeconds);
      merged.push({ text: word.text, start, end: clamp(word.end, start, chunk.endSeconds) });
      previous = word;
    }
  }
  return segmentWords(cleanWordTimes(merged, durationSeconds));
}

/** The same word on both sides of the seam at `seam`, the second starting before the first ends. */
function isSeamDuplicate(previous: TimedToken, word: TimedToken, seam: number): boolean {
  return previous.end >= seam - 0.5 && word.start <= seam + 0.5 && word.start < previous.end && normalise(previous.text) === normalise(word.text);
}

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

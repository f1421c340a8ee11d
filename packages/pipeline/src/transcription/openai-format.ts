import { findLanguage, type OpenAiFormat, type Segment, type TranscriptionRequest } from '@babelfish/core';
import { formatTimestamp } from '@babelfish/media';
import { fullText, oneLine, type TranscriptionResult } from './result';

/**
 * The bodies OpenAI's /v1/audio/transcriptions and /v1/audio/translations answer with, per
 * response_format. verbose_json follows OpenAI's schema field by field. Segments are Babelfish's
 * (cut at sentences and pauses from the timed words), so `seek` is the segment's start in 10 ms
 * mel frames rather than the start of a fixed 30 s window, and `tokens` is the text's token ids.
 */
export function renderOpenAi(format: OpenAiFormat, result: TranscriptionResult, request: Pick<TranscriptionRequest, 'words' | 'segments'>): string {
  switch (format) {
    case 'json':
      return JSON.stringify({ text: fullText(result) });
    case 'text':
      return `${fullText(result)}\n`;
    case 'srt':
      return cues(result.segments)
        .map((cue, i) => `${i + 1}\n${formatTimestamp(cue.startMs, ',')} --> ${formatTimestamp(cue.endMs, ',')}\n${cue.text}\n`)
        .join('\n');
    case 'vtt':
      return ['WEBVTT\n', ...cues(result.segments).map((cue) => `${formatTimestamp(cue.startMs, '.')} --> ${formatTimestamp(cue.endMs, '.')}\n${cue.text}\n`)].join('\n');
    case 'verbose_json':
      return JSON.stringify(verboseJson(result, request));
  }
}

function verboseJson(result: TranscriptionResult, request: Pick<TranscriptionRequest, 'words' | 'segments'>) {
  const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
  return {
    task: result.task,
    // OpenAI names the language of the text in full, lower case ("english").
    language: findLanguage(result.textLanguage)?.whisper ?? result.textLanguage,
    duration: round(result.durationSeconds),
    text: fullText(result),
    ...(request.segments === false
      ? {}
      : {
          segments: result.segments.map((segment, id) => ({
            id,
            seek: Math.floor(segment.start * 100),
            start: round(segment.start),
            end: round(segment.end),
            text: ` ${oneLine(segment.text)}`,
            tokens: segment.tokens ?? [],
            temperature: segment.temperature ?? 0,
            avg_logprob: segment.avgLogprob ?? 0,
            compression_ratio: segment.compressionRatio ?? 0,
            no_speech_prob: segment.noSpeechProb ?? 0,
          })),
        }),
    ...(request.words ? { words: result.segments.flatMap((segment) => (segment.words ?? []).map((word) => ({ word: word.text, start: round(word.start), end: round(word.end) }))) } : {}),
  };
}

/** Cues in whole milliseconds; text on one line with no `-->` (which would end the cue's timing). */
export function cues(segments: readonly Segment[]): { startMs: number; endMs: number; text: string }[] {
  return segments.flatMap((segment) => {
    const text = segment.text.trim().replace(/-->/g, '->').replace(/\r?\n\s*\n/g, '\n');
    if (!text) return [];
    const startMs = Math.max(0, Math.round(segment.start * 1000));
    return [{ startMs, endMs: Math.max(startMs + 1, Math.round(segment.end * 1000)), text }];
  });
}

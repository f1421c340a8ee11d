import { findLanguage, type WhisperAsrFormat } from '@babelfish/core';
import { cues } from './openai-format';
import { oneLine, type LanguageDetectionResult, type TranscriptionResult } from './result';

/**
 * The bodies whisper-asr-webservice's POST /asr answers with, per `output` (its faster_whisper
 * writers): txt one segment a line; vtt with minutes:seconds times (hours only when needed) and no
 * cue numbers; srt; tsv of integer milliseconds under a `start end text` header; json
 * `{language, segments, text}`.
 */
export function renderWhisperAsr(format: WhisperAsrFormat, result: TranscriptionResult, options: { words: boolean }): string {
  const list = cues(result.segments);
  switch (format) {
    case 'txt':
      return list.map((cue) => `${cue.text.replace(/\n/g, ' ')}\n`).join('');
    case 'vtt':
      return `WEBVTT\n\n${list.map((cue) => `${shortTimestamp(cue.startMs)} --> ${shortTimestamp(cue.endMs)}\n${cue.text}\n\n`).join('')}`;
    case 'srt':
      return list.map((cue, i) => `${i + 1}\n${longTimestamp(cue.startMs, ',')} --> ${longTimestamp(cue.endMs, ',')}\n${cue.text}\n\n`).join('');
    case 'tsv':
      return `start\tend\ttext\n${list.map((cue) => `${cue.startMs}\t${cue.endMs}\t${cue.text.replace(/[\t\n]/g, ' ')}\n`).join('')}`;
    case 'json':
      return JSON.stringify(asrJson(result, options.words));
  }
}

/** The JSON of POST /detect-language: the language's name as Whisper spells it, its code, its probability. */
export function detectionJson(detection: LanguageDetectionResult) {
  return {
    detected_language: findLanguage(detection.language)?.whisper ?? detection.language,
    language_code: detection.language,
    confidence: Math.round(detection.probability * 10_000) / 10_000,
  };
}

function asrJson(result: TranscriptionResult, words: boolean) {
  const round = (seconds: number) => Math.round(seconds * 1000) / 1000;
  const segments = result.segments.map((segment, id) => ({
    id: id + 1,
    seek: Math.floor(segment.start * 100),
    start: round(segment.start),
    end: round(segment.end),
    text: ` ${oneLine(segment.text)}`,
    tokens: segment.tokens ?? [],
    avg_logprob: segment.avgLogprob ?? 0,
    compression_ratio: segment.compressionRatio ?? 0,
    no_speech_prob: segment.noSpeechProb ?? 0,
    words: words ? (segment.words ?? []).map((word) => ({ start: round(word.start), end: round(word.end), word: ` ${word.text}` })) : null,
    temperature: segment.temperature ?? 0,
  }));
  return { language: result.spokenLanguage, segments, text: segments.map((segment) => segment.text).join('') };
}

/** faster_whisper's format_timestamp: `MM:SS.mmm`, with `HH:` in front from the first hour. */
function shortTimestamp(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  const rest = longTimestamp(ms, '.');
  return hours > 0 ? rest : rest.slice(3);
}

function longTimestamp(ms: number, marker: ',' | '.'): string {
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000), 2)}:${pad(Math.floor((ms % 3_600_000) / 60_000), 2)}:${pad(Math.floor((ms % 60_000) / 1000), 2)}${marker}${pad(ms % 1000, 3)}`;
}


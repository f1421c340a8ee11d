import type { Segment } from '@babelfish/core';

/** What a finished transcription-only job has to say, whatever format it is written in. */
export type TranscriptionResult = {
  task: 'transcribe' | 'translate';
  /** The language spoken (given, or detected). */
  spokenLanguage: string;
  /** The language of the text: the spoken one, or the translation's. */
  textLanguage: string;
  durationSeconds: number;
  segments: Segment[];
};

/** What detect-language answers: the language of the first 30 s. */
export type LanguageDetectionResult = { language: string; probability: number };

/** Languages written without spaces between words (Whisper's own list for word splitting). */
const unspaced = new Set(['zh', 'ja', 'th', 'lo', 'my', 'yue']);

/** The segments' text as one string, joined the way the language writes. */
export function fullText(result: Pick<TranscriptionResult, 'segments' | 'textLanguage'>): string {
  const parts = result.segments.map((segment) => oneLine(segment.text)).filter(Boolean);
  return parts.join(unspaced.has(result.textLanguage) ? '' : ' ');
}

/** A cue's text on one line (translations come cut into subtitle lines). */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

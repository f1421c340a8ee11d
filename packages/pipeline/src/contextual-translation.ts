import type { Glossary, Segment, SubtitleRules, Transcript } from '@babelfish/core';
import type { DownloadListener, TranslationEngine, TranslationReport } from '@babelfish/ml';
import {
  enforceTerms,
  glossaryEntries,
  joinerFor,
  protectTerms,
  protectedPhrases,
  restoreTerms,
  segmentTranslation,
  sentencesFromSegments,
} from '@babelfish/subtitles';
import { withTranscriptWords } from './source-cues';

/**
 * Translation with context: whole sentences go to the engine (ASR segments that cut a sentence
 * are joined first), each sentence's translation is laid back over the time it was spoken and
 * cut into cues by the segmentation rules. The glossary is applied around the engine: terms are
 * swapped for placeholders the engine passes through, then for their required translation.
 */

export type ContextualTranslationInput = {
  engine: TranslationEngine;
  /** The latest source track (an edit included). */
  sourceSegments: Segment[];
  transcript: Transcript;
  to: string;
  glossary?: Glossary;
  rules: SubtitleRules;
  audio: () => Promise<Float32Array>;
  onProgress?: (percent: number) => void;
  /** A model the engine fetches first (NLLB, Marian): the job's `download` stage. */
  onDownload?: DownloadListener;
  /** The llm engine's per-job model and style note. */
  llm?: { model?: string; style?: string };
  /** The job was canceled: the engine stops (CANCELED). */
  signal?: AbortSignal;
};

export type ContextualTranslation = {
  segments: Segment[];
  /** Glossary terms whose placeholder the engine lost (their required translation is missing). */
  missingTerms: string[];
  /** What the engine reported beyond the text (the llm engine: tokens, cached and fallback lines). */
  report?: TranslationReport;
};

export async function translateInContext(input: ContextualTranslationInput): Promise<ContextualTranslation> {
  const from = input.transcript.language;
  const entries = glossaryEntries(input.glossary, input.to);
  const cueOptions = { language: input.to, keepTogether: protectedPhrases(entries), mediaDuration: input.transcript.durationSeconds };

  if (input.engine.name === 'whisper') {
    // Whisper listens to the audio and never sees the source text: its English sentences get
    // the glossary's spellings afterwards (names it kept, terms it left untranslated).
    const english = await input.engine.translate({ segments: input.sourceSegments, from, to: input.to, audio: input.audio, onProgress: input.onProgress, signal: input.signal });
    const sentences = sentencesFromSegments(english, input.to);
    const texts = sentences.map((sentence) => enforceTerms(sentence.text, entries));
    return { segments: segmentTranslation(sentences, texts, input.rules, cueOptions), missingTerms: [] };
  }

  const sentences = sentencesFromSegments(withTranscriptWords(input.sourceSegments, input.transcript), from);
  const wordBounded = joinerFor(from) === ' ';
  const protectedTexts = sentences.map((sentence) => protectTerms(sentence.text, entries, { wordBounded }));
  let report: TranslationReport | undefined;
  const translated = await input.engine.translate({
    segments: sentences.map((sentence, i) => ({ start: sentence.start, end: sentence.end, text: protectedTexts[i]!.text })),
    from,
    to: input.to,
    audio: input.audio,
    onProgress: input.onProgress,
    onDownload: input.onDownload,
    glossary: entries,
    llm: input.llm,
    signal: input.signal,
    onReport: (value) => {
      report = value;
    },
  });
  const missingTerms: string[] = [];
  const texts = translated.map((segment, i) => {
    const restored = restoreTerms(segment.text, protectedTexts[i]!);
    missingTerms.push(...restored.missing);
    return restored.text;
  });
  return { segments: segmentTranslation(sentences, texts, input.rules, cueOptions), missingTerms: [...new Set(missingTerms)], report };
}

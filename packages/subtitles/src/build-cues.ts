import type { Segment, SubtitleRules } from '@babelfish/core';
import { breakTokens } from './line-break';
import { splitSentence, type DraftCue } from './segmenter';
import { sentencesFromSegments, type Sentence } from './sentences';
import { joinerFor, type TimedToken } from './text';
import { spreadText } from './timeline';
import { isCramped, timeCues } from './timing';

/**
 * The whole segmentation: sentences → cues cut at natural points → cramped cues merged with a
 * neighbour → timed to the rules. Used for the source track (timed by Whisper's words) and for
 * each translation (its sentences spread over the source sentence's speech).
 */

export type CueOptions = {
  language: string;
  /** Phrases never split (glossary terms). */
  keepTogether?: readonly string[];
  /** Cues never run past the end of the media. */
  mediaDuration?: number;
};

/** Merging two cues across a silence longer than this would show text nobody is saying. */
const MERGE_MAX_PAUSE = 1;

export function buildCues(sentences: readonly TimedToken[][], rules: SubtitleRules, options: CueOptions): Segment[] {
  const joiner = joinerFor(options.language);
  const drafts = sentences.flatMap((tokens) => splitSentence(tokens, rules, { joiner, keepTogether: options.keepTogether }));
  const merged = mergeCramped(drafts, rules, options, joiner);
  return timeCues(merged.map((cue) => ({ start: cue.start, end: cue.end, text: cue.lines.join('\n') })), rules, options.mediaDuration);
}

/** Source-language cues from a transcript's segments (with Whisper's words where they match). */
export function segmentTrack(segments: readonly Segment[], rules: SubtitleRules, options: CueOptions): Segment[] {
  return buildCues(sentencesFromSegments(segments, options.language).map((sentence) => sentence.tokens), rules, options);
}

/**
 * Cues for translated sentences: sentence i's translation is laid over the time sentence i was
 * spoken, so the subtitles follow the speech even though the words differ.
 */
export function segmentTranslation(sentences: readonly Sentence[], translations: readonly string[], rules: SubtitleRules, options: CueOptions): Segment[] {
  const joiner = joinerFor(options.language);
  const timed = sentences.map((sentence, i) => spreadText(translations[i] ?? '', sentence.speech, joiner)).filter((tokens) => tokens.length > 0);
  return buildCues(timed, rules, options);
}

function mergeCramped(drafts: DraftCue[], rules: SubtitleRules, options: CueOptions, joiner: string): DraftCue[] {
  const cues = drafts.slice();
  const limits = { maxCharsPerLine: rules.maxCharsPerLine, maxLines: rules.maxLines, joiner, keepTogether: options.keepTogether, fullWidthUnits: rules.fullWidthUnits };
  const tryMerge = (i: number): boolean => {
    const a = cues[i];
    const b = cues[i + 1];
    if (!a || !b || b.start - a.end > MERGE_MAX_PAUSE || b.end - a.start > rules.maxDurationSeconds) return false;
    const tokens = [...a.tokens, ...b.tokens];
    const laidOut = breakTokens(tokens.map((token) => token.text), limits);
    if (!laidOut || laidOut.cost >= 500) return false;
    cues.splice(i, 2, { tokens, lines: laidOut.lines, start: a.start, end: b.end });
    return true;
  };
  const placed = () => cues.map((cue) => ({ start: cue.start, end: cue.end, text: cue.lines.join('\n') }));
  for (let i = 0; i < cues.length; i++) {
    if (!isCramped(placed(), i, rules, options.mediaDuration)) continue;
    // The neighbour across the shorter silence first: that merge reads most naturally.
    const gapBefore = i > 0 ? cues[i]!.start - cues[i - 1]!.end : Infinity;
    const gapAfter = i < cues.length - 1 ? cues[i + 1]!.start - cues[i]!.end : Infinity;
    const order = gapBefore <= gapAfter ? [i - 1, i] : [i, i - 1];
    for (const at of order) {
      if (at >= 0 && tryMerge(at)) {
        i = Math.max(-1, at - 2); // look again from just before the merged cue
        break;
      }
    }
  }
  return cues;
}

import type { BilingualCue, Segment, SubtitleRules } from '@babelfish/core';
import { breakLines } from './line-break';
import { joinerFor } from './text';

/**
 * Bilingual cues: each translation cue with the words spoken at that moment above it. The two
 * tracks were cut separately (each to its own language's rules, edits included), so their cues
 * need not line up; each source cue goes to the translation cue it overlaps most (or, in a gap,
 * the nearest one), and a translation cue's source text is laid out again in lines of the
 * source language's length. A bilingual cue thus has up to `maxLines` lines of each language.
 */
export function pairBilingualCues(source: readonly Segment[], translation: readonly Segment[], sourceRules: SubtitleRules, sourceLanguage: string): BilingualCue[] {
  const assigned: string[][] = translation.map(() => []);
  for (const cue of source) {
    const index = closestCue(cue, translation);
    if (index !== undefined) assigned[index]!.push(cue.text);
  }
  const joiner = joinerFor(sourceLanguage);
  return translation.map((cue, i) => ({
    start: cue.start,
    end: cue.end,
    source: layOut(assigned[i]!, joiner, sourceRules),
    text: cue.text,
  }));
}

/** The translation cue sharing the most time with `cue`; with none, the one nearest in time. */
function closestCue(cue: Segment, cues: readonly Segment[]): number | undefined {
  let best: { index: number; overlap: number; distance: number } | undefined;
  cues.forEach((candidate, index) => {
    const overlap = Math.min(cue.end, candidate.end) - Math.max(cue.start, candidate.start);
    const distance = overlap > 0 ? 0 : Math.max(candidate.start - cue.end, cue.start - candidate.end);
    if (!best || overlap > best.overlap || (best.overlap <= 0 && overlap <= 0 && distance < best.distance)) best = { index, overlap, distance };
  });
  return best?.index;
}

/** Texts of one or more source cues as lines within the rules; a text too long for them keeps more lines (the quality check reports it). */
function layOut(texts: readonly string[], joiner: string, rules: SubtitleRules): string {
  const text = texts.map((part) => part.split('\n').join(joiner)).join(joiner).trim();
  if (!text) return '';
  const limits = { maxCharsPerLine: rules.maxCharsPerLine, joiner, fullWidthUnits: rules.fullWidthUnits };
  const lines = breakLines(text, { ...limits, maxLines: rules.maxLines }) ?? breakLines(text, { ...limits, maxLines: 12 });
  return lines ? lines.lines.join('\n') : text;
}

/** A bilingual cue as one plain cue, source above (SRT, WebVTT, the videos' text tracks). */
export function bilingualText(cue: BilingualCue): string {
  return cue.source ? `${cue.source}\n${cue.text}` : cue.text;
}

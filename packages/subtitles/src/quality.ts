import { qualityRules, type BilingualCue, type QualityIssue, type QualityRule, type Segment, type SubtitleRules, type TrackQuality } from '@babelfish/core';
import { readingLength, visibleLength } from './text';

/**
 * Checks cues as they are written (whole milliseconds, the precision of SRT and WebVTT) against
 * the rules, so the report describes the files people download, edits included.
 */

/** How many issues a report lists in full; the counts cover all of them. */
const LISTED_ISSUES = 20;
/** One millisecond of tolerance: times are stored rounded to it. */
const EPSILON = 0.0015;

/**
 * `mediaDuration`, when given and shorter than the minimum duration, excuses cues that are
 * shorter only because the recording is: a 0.5 s clip cannot show a cue for 1 s.
 */
export function checkCues(cues: readonly Segment[], rules: SubtitleRules, mediaDuration?: number): { counts: Record<QualityRule, number>; issues: QualityIssue[] } {
  const counts = Object.fromEntries(qualityRules.map((rule) => [rule, 0])) as Record<QualityRule, number>;
  const issues: QualityIssue[] = [];
  const report = (cue: number, rule: QualityRule, message: string) => {
    counts[rule] += 1;
    if (issues.length < LISTED_ISSUES) issues.push({ cue: cue + 1, rule, message: `Cue ${cue + 1}: ${message}` });
  };

  cues.forEach((cue, i) => {
    const lines = cue.text.split('\n').map((line) => line.trim()).filter(Boolean);
    if (lines.length === 0) {
      report(i, 'empty', 'has no text');
      return;
    }
    const longest = Math.max(...lines.map((line) => visibleLength(line, rules.fullWidthUnits)));
    if (longest > rules.maxCharsPerLine) report(i, 'lineLength', `a line has ${longest} characters (max ${rules.maxCharsPerLine})`);
    if (lines.length > rules.maxLines) report(i, 'lineCount', `has ${lines.length} lines (max ${rules.maxLines})`);
    const seconds = cue.end - cue.start;
    const cps = readingLength(lines.join('\n'), rules.fullWidthUnits) / Math.max(seconds, 0.001);
    if (cps > rules.maxCharsPerSecond + EPSILON) report(i, 'cps', `reads at ${cps.toFixed(1)} characters/s (max ${rules.maxCharsPerSecond})`);
    // Only a recording shorter than the minimum itself excuses a shorter cue (see normalizeCues).
    const previousEnd = cues[i - 1] ? cues[i - 1]!.end + rules.minGapSeconds : 0;
    const tooShortMedia = mediaDuration !== undefined && mediaDuration > 0 && mediaDuration < rules.minDurationSeconds;
    const minimum = tooShortMedia ? Math.min(rules.minDurationSeconds, mediaDuration - previousEnd) : rules.minDurationSeconds;
    if (seconds < minimum - EPSILON || seconds > rules.maxDurationSeconds + EPSILON) {
      report(i, 'duration', `lasts ${seconds.toFixed(3)} s (allowed ${rules.minDurationSeconds}–${rules.maxDurationSeconds} s)`);
    }
    const previous = cues[i - 1];
    if (previous) {
      const gap = cue.start - previous.end;
      if (gap < -EPSILON / 2) report(i, 'overlap', `starts ${(-gap).toFixed(3)} s before cue ${i} ends`);
      else if (gap < rules.minGapSeconds - EPSILON) report(i, 'gap', `follows cue ${i} after ${gap.toFixed(3)} s (min ${rules.minGapSeconds} s)`);
    }
  });
  return { counts, issues };
}

export function trackQuality(language: string, kind: TrackQuality['kind'], cues: readonly Segment[], rules: SubtitleRules, mediaDuration?: number): TrackQuality {
  return { language, kind, cues: cues.length, rules, ...checkCues(cues, rules, mediaDuration) };
}

/**
 * A bilingual track: the translation part is checked like its own track (every rule, reading
 * speed included: it is what the viewer reads); the source part above it only for its lines,
 * by the source language's rules. So a cue of two source lines over two translation lines is
 * no lineCount violation, and three source lines are one.
 */
export function bilingualTrackQuality(
  language: string,
  cues: readonly BilingualCue[],
  rules: { source: SubtitleRules; translation: SubtitleRules },
  mediaDuration?: number,
): TrackQuality {
  const checked = checkCues(cues.map((cue) => ({ start: cue.start, end: cue.end, text: cue.text })), rules.translation, mediaDuration);
  cues.forEach((cue, i) => {
    const lines = cue.source.split('\n').map((line) => line.trim()).filter(Boolean);
    if (lines.length === 0) return;
    const longest = Math.max(...lines.map((line) => visibleLength(line, rules.source.fullWidthUnits)));
    const add = (rule: QualityRule, message: string) => {
      checked.counts[rule] += 1;
      if (checked.issues.length < LISTED_ISSUES) checked.issues.push({ cue: i + 1, rule, message: `Cue ${i + 1}: ${message}` });
    };
    if (longest > rules.source.maxCharsPerLine) add('lineLength', `a source line has ${longest} characters (max ${rules.source.maxCharsPerLine})`);
    if (lines.length > rules.source.maxLines) add('lineCount', `has ${lines.length} source lines (max ${rules.source.maxLines})`);
  });
  checked.issues.sort((a, b) => a.cue - b.cue);
  return { language, kind: 'bilingual', cues: cues.length, rules: rules.translation, ...checked };
}

/** Total violations of a track, for logs and a one-line summary. */
export function violationCount(track: Pick<TrackQuality, 'counts'>): number {
  return Object.values(track.counts).reduce((sum, count) => sum + count, 0);
}

/** "es: 14 cues, 0 violations" or "en: 12 cues, 2 violations (cps 1, gap 1)". */
export function summarizeQuality(track: TrackQuality): string {
  const total = violationCount(track);
  const parts = Object.entries(track.counts).filter(([, count]) => count > 0).map(([rule, count]) => `${rule} ${count}`);
  return `${track.language}: ${track.cues} cues, ${total} violation${total === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

import type { Segment, SubtitleRules } from '@babelfish/core';
import { readingLength, visibleLength } from './text';

/**
 * The last step before any cue is written: whatever the recogniser, the translator or an editor
 * produced, the result holds the timing rules. Cues are in time order, none is empty, none
 * starts before the previous one ends plus the minimum gap, each lasts from the minimum to the
 * maximum duration, and none runs past the media. Cues that already hold (the segmenter's
 * output) come out unchanged; a cue with no room for its minimum duration is merged into a
 * neighbour when the two fit one cue, and dropped otherwise.
 *
 * Works in whole milliseconds (what SRT and WebVTT store), so rounding cannot break a rule.
 */

type Cue = { start: number; end: number; text: string };

export function normalizeCues(segments: readonly Segment[], rules: SubtitleRules, mediaDuration?: number): Segment[] {
  const gap = Math.ceil(rules.minGapSeconds * 1000 - 1e-6);
  const minMs = Math.ceil(rules.minDurationSeconds * 1000 - 1e-6);
  const maxMs = Math.floor(rules.maxDurationSeconds * 1000 + 1e-6);
  const limit = mediaDuration !== undefined && Number.isFinite(mediaDuration) && mediaDuration > 0 ? Math.floor(mediaDuration * 1000) : Infinity;
  // Reading time when there is room for it; the minimum duration in any case.
  const wanted = (text: string) => Math.min(maxMs, Math.max(minMs, Math.ceil((readingLength(text, rules.fullWidthUnits) / rules.maxCharsPerSecond) * 1000)));
  const fits = (text: string) => {
    const lines = text.split('\n');
    return lines.length <= rules.maxLines && lines.every((line) => visibleLength(line, rules.fullWidthUnits) <= rules.maxCharsPerLine);
  };
  /**
   * `into` takes `cue`'s text (after its own when `cue` comes later) and lasts from `start` to
   * the later end, when the two read as one cue; false when they cannot. `start` is the earlier
   * cue's start (after any move), never earlier, so the previous cue is not overlapped.
   */
  const merge = (into: Cue, cue: Cue, cueIsLater: boolean): boolean => {
    const text = cueIsLater ? `${into.text}\n${cue.text}` : `${cue.text}\n${into.text}`;
    const start = cueIsLater ? into.start : cue.start;
    const end = Math.max(into.end, cue.end);
    if (!fits(text) || end - start > maxMs) return false;
    Object.assign(into, { start, end, text });
    return true;
  };

  // 1. Cues with text and finite times, inside the media, in time order.
  const cues: Cue[] = segments
    .map((segment) => ({ start: toMs(segment.start), end: toMs(segment.end), text: cleanText(segment.text) }))
    .filter((cue): cue is Cue => cue.start !== undefined && cue.end !== undefined && cue.text !== '' && cue.start < limit)
    .map((cue) => ({ ...cue, end: Math.min(limit, Math.max(cue.start, cue.end)) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);

  // 2. No overlap: the previous cue ends earlier if it keeps its minimum duration, else this one
  //    starts later if it keeps its own; a cue that can do neither joins the previous one.
  const placed: Cue[] = [];
  for (const cue of cues) {
    const previous = placed.at(-1);
    if (previous && cue.start < previous.end + gap) {
      if (cue.start - gap - previous.start >= minMs) previous.end = cue.start - gap;
      else if (cue.end - (previous.end + gap) >= minMs) cue.start = previous.end + gap;
      else {
        merge(previous, cue, true);
        continue;
      }
    }
    placed.push(cue);
  }

  // 3. Durations: a short cue takes the pause after it, then the pause before it; one that still
  //    falls short of the minimum joins a neighbour, or is dropped.
  const timed: Cue[] = [];
  for (let i = 0; i < placed.length; i++) {
    const cue = placed[i]!;
    const previous = timed.at(-1);
    const next = placed[i + 1];
    const earliest = previous ? previous.end + gap : 0;
    const latest = next ? next.start - gap : limit;
    cue.end = Math.min(cue.end, cue.start + maxMs);
    // A recording shorter than the minimum duration (a 0.5 s clip) cannot show any cue for that
    // long: there, and only there, a cue may last to the end of the media instead.
    const floor = limit < minMs ? Math.max(1, limit - earliest) : minMs;
    const need = Math.max(floor, wanted(cue.text));
    if (cue.end - cue.start < need) cue.end = Math.max(cue.end, Math.min(latest, cue.start + need));
    if (cue.end - cue.start < floor) cue.start = Math.max(earliest, Math.min(cue.start, cue.end - floor));
    if (cue.end - cue.start >= floor) {
      timed.push(cue);
      continue;
    }
    // Too short in the room it has: the next cue absorbs it (and is timed in turn), else the previous.
    if (next && merge(next, cue, false)) continue;
    // Merged or dropped, the cue leaves its room to the previous one, whose (maybe longer) text
    // gets its reading time there as far as the room allows, as any cue does.
    if (previous) {
      merge(previous, cue, true);
      previous.end = Math.max(previous.end, Math.min(latest, previous.start + wanted(previous.text)));
    }
  }
  return timed.map((cue) => ({ start: cue.start / 1000, end: cue.end / 1000, text: cue.text }));
}

function toMs(seconds: number): number | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  return Math.max(0, Math.round(seconds * 1000));
}

/** Non-blank trimmed lines: a cue of whitespace only is empty. */
function cleanText(text: unknown): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

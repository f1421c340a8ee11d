import { leastSpeechAt, type SampleRange } from './speech-regions';

/**
 * Packs speech regions into Whisper windows of at most 30 s, leaving the silence between them
 * out. A window is a list of source ranges played back to back; Whisper sees them as one clip
 * with short pauses (each region keeps its padding), and its timestamps are mapped back to the
 * source through the same list. Long silences therefore cost nothing, and windows end at pauses
 * instead of at a fixed 30 s mark, so no word is cut in two. A full window ends at the longest
 * pause in its last part (a sentence end, usually) rather than at the last one that fits:
 * Whisper given half a sentence tends to finish it from memory.
 */

/** A source range placed at `offset` samples into the window. */
export type WindowPiece = SampleRange & { offset: number };
export type SpeechWindow = { pieces: WindowPiece[]; length: number };

export type WindowPlanOptions = { maxSamples: number; minSamples: number };

export function planSpeechWindows(regions: readonly SampleRange[], probabilities: Float32Array, options: WindowPlanOptions): SpeechWindow[] {
  const windows: SpeechWindow[] = [];
  let pending: SampleRange[] = [];
  for (const region of splitLongRegions(regions, probabilities, options)) {
    if (total(pending) + region.end - region.start > options.maxSamples) {
      const cut = bestCut([...pending, region], options.minSamples);
      windows.push(toWindow(pending.slice(0, cut)));
      pending = pending.slice(cut);
    }
    pending.push(region);
  }
  if (pending.length > 0) windows.push(toWindow(pending));
  return windows;
}

/**
 * How many of the window's regions to keep (the last of `regions` is the one that did not fit):
 * cut at the widest gap once `minSamples` are in, else keep them all.
 */
function bestCut(regions: readonly SampleRange[], minSamples: number): number {
  let best = regions.length - 1;
  let widest = -1;
  let length = 0;
  for (let k = 1; k < regions.length; k++) {
    length += regions[k - 1]!.end - regions[k - 1]!.start;
    const gap = regions[k]!.start - regions[k - 1]!.end;
    if (length >= minSamples && gap > widest) {
      widest = gap;
      best = k;
    }
  }
  return best;
}

function toWindow(regions: readonly SampleRange[]): SpeechWindow {
  const pieces: WindowPiece[] = [];
  let length = 0;
  for (const region of regions) {
    pieces.push({ start: region.start, end: region.end, offset: length });
    length += region.end - region.start;
  }
  return { pieces, length };
}

function total(regions: readonly SampleRange[]): number {
  return regions.reduce((sum, region) => sum + region.end - region.start, 0);
}

/** Regions longer than a window (speech without a pause) cut at their least speech-like frame. */
function splitLongRegions(regions: readonly SampleRange[], probabilities: Float32Array, options: WindowPlanOptions): SampleRange[] {
  const result: SampleRange[] = [];
  for (const region of regions) {
    let start = region.start;
    while (region.end - start > options.maxSamples) {
      const cut = leastSpeechAt(probabilities, start + options.minSamples, start + options.maxSamples);
      result.push({ start, end: cut });
      start = cut;
    }
    result.push({ start, end: region.end });
  }
  return result;
}

/** The source sample for a position inside the window (clamped to its piece). */
export function toSourceSample(window: SpeechWindow, position: number): number {
  let piece = window.pieces[0];
  for (const candidate of window.pieces) {
    if (candidate.offset <= position) piece = candidate;
    else break;
  }
  if (!piece) return position;
  return Math.min(piece.start + Math.max(0, position - piece.offset), piece.end);
}

/** The part of a window from `position` on, as a window of its own (to decode a tail again). */
export function windowFrom(window: SpeechWindow, position: number): SpeechWindow {
  const pieces: WindowPiece[] = [];
  for (const piece of window.pieces) {
    const pieceEnd = piece.offset + piece.end - piece.start;
    if (pieceEnd <= position) continue;
    const skip = Math.max(0, position - piece.offset);
    pieces.push({ start: piece.start + skip, end: piece.end, offset: piece.offset + skip - position });
  }
  return { pieces, length: Math.max(0, window.length - position) };
}

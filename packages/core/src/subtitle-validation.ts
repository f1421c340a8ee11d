import { forbiddenCharacter } from './cue-text';
import type { Segment } from './types';

export type SegmentProblem = { index: number; field: 'start' | 'end' | 'text'; message: string };

/** Longest cue we accept from an editor; broadcast practice keeps cues well under this. */
const MAX_CUE_SECONDS = 30;
const MAX_CUE_CHARS = 500;

/**
 * Checks subtitle cues as an editor saves them: finite, non-negative times, end after start,
 * no overlap with the previous cue (cues must be in time order), non-empty text of sane length
 * without control characters (see forbiddenCharacter; CR and tab are normalised, not refused).
 * Shared by the API (authoritative) and the dashboard (instant feedback).
 */
export function validateSegments(segments: readonly Segment[]): SegmentProblem[] {
  const problems: SegmentProblem[] = [];
  segments.forEach((segment, index) => {
    const cue = `Cue ${index + 1}`;
    if (!Number.isFinite(segment.start) || segment.start < 0) {
      problems.push({ index, field: 'start', message: `${cue}: start must be a time of 0 or more` });
    }
    if (!Number.isFinite(segment.end) || segment.end < 0) {
      problems.push({ index, field: 'end', message: `${cue}: end must be a time of 0 or more` });
    } else if (Number.isFinite(segment.start) && segment.end <= segment.start) {
      problems.push({ index, field: 'end', message: `${cue}: end must be after start` });
    } else if (segment.end - segment.start > MAX_CUE_SECONDS) {
      problems.push({ index, field: 'end', message: `${cue}: lasts more than ${MAX_CUE_SECONDS} s` });
    }
    if (typeof segment.text !== 'string' || segment.text.trim() === '') {
      problems.push({ index, field: 'text', message: `${cue}: text is empty` });
    } else if (segment.text.length > MAX_CUE_CHARS) {
      problems.push({ index, field: 'text', message: `${cue}: text is longer than ${MAX_CUE_CHARS} characters` });
    } else {
      const forbidden = forbiddenCharacter(segment.text);
      if (forbidden) problems.push({ index, field: 'text', message: `${cue}: text contains the control character ${forbidden}` });
    }
    const previous = segments[index - 1];
    if (previous && Number.isFinite(previous.end) && Number.isFinite(segment.start) && segment.start < previous.end) {
      problems.push({ index, field: 'start', message: `${cue}: starts before cue ${index} ends (overlap)` });
    }
  });
  return problems;
}

/** Parses "hh:mm:ss.mmm", "mm:ss.mmm" or plain seconds ("12.5") as typed in an editor. */
export function parseEditorTime(value: string): number {
  const text = value.trim().replace(',', '.');
  if (!/^(\d+:){0,2}\d+(\.\d+)?$/.test(text)) return Number.NaN;
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

/** 83.5 → "00:01:23.500", the format the editor shows. */
export function formatEditorTime(seconds: number): string {
  const totalMs = Math.round(Math.max(0, seconds) * 1000);
  const hours = Math.floor(totalMs / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const secs = Math.floor((totalMs % 60_000) / 1000);
  const ms = totalMs % 1000;
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}.${pad(ms, 3)}`;
}

import { findLanguage, type Segment } from '@babelfish/core';
import { escapeSrtRun, escapeVttRun, renderCueLines } from './cue-markup';

/**
 * SRT and WebVTT, written and read. Times are kept in whole milliseconds (both formats'
 * precision), so writing then parsing returns the same segments to the millisecond.
 */

type Cue = { startMs: number; endMs: number; text: string };

/**
 * Empty segments are dropped, times made sane, text rendered by the format's escaping so it
 * cannot break a cue (no blank lines, no `-->`, no markup but <i>, <b> and <u>; see cue-markup).
 */
function toCues(segments: readonly Segment[], escape: (run: string) => string): Cue[] {
  const cues: Cue[] = [];
  for (const segment of segments) {
    const text = renderCueLines(segment.text, escape, (tag, open) => `<${open ? '' : '/'}${tag}>`).join('\n');
    if (!text) continue;
    const startMs = toMs(segment.start);
    // Players skip or mis-order a cue that ends before it starts; give it at least 1 ms.
    const endMs = Math.max(toMs(segment.end), startMs + 1);
    cues.push({ startMs, endMs, text });
  }
  return cues;
}

function toMs(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/** `HH:MM:SS<sep>mmm`; hours widen past 99 rather than wrapping. */
export function formatTimestamp(ms: number, separator: ',' | '.'): string {
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  const millis = ms % 1000;
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${separator}${pad(millis, 3)}`;
}

export function toSrt(segments: readonly Segment[]): string {
  return toCues(segments, escapeSrtRun)
    .map((cue, i) => `${i + 1}\n${formatTimestamp(cue.startMs, ',')} --> ${formatTimestamp(cue.endMs, ',')}\n${cue.text}\n`)
    .join('\n');
}

export type WebVttOptions = {
  /**
   * The cues' language (any code form), written as a `Language:` header line the way YouTube's
   * files carry it. WebVTT has no standard language field (a page gives <track srclang>), and
   * players skip the lines under `WEBVTT` up to the first blank one.
   */
  language?: string;
};

export function toWebVtt(segments: readonly Segment[], options: WebVttOptions = {}): string {
  const cues = toCues(segments, escapeVttRun).map(
    (cue, i) => `${i + 1}\n${formatTimestamp(cue.startMs, '.')} --> ${formatTimestamp(cue.endMs, '.')}\n${cue.text}\n`,
  );
  const language = options.language === undefined ? undefined : findLanguage(options.language);
  return [language ? `WEBVTT\nLanguage: ${language.code}\n` : 'WEBVTT\n', ...cues].join('\n');
}

/** The `Language:` header of a WebVTT file, if it has one. */
export function webVttLanguage(content: string): string | undefined {
  const header = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)[0] ?? '';
  if (!header.startsWith('WEBVTT')) return undefined;
  return /^Language:[ \t]*(\S+)[ \t]*$/m.exec(header)?.[1];
}

function unescapeVtt(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lrm;/g, '\u200e')
    .replace(/&rlm;/g, '\u200f')
    .replace(/&amp;/g, '&');
}

// Hours are optional in VTT (`01:02.345`); SRT uses a comma, but lenient readers accept both.
const TIMING = /^((?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3})/;

export function parseTimestamp(value: string): number {
  const [clock = '', fraction = '0'] = value.split(/[.,]/);
  const parts = clock.split(':').map(Number);
  const seconds = parts.reduce((total, part) => total * 60 + part, 0);
  // Whole milliseconds first, one division last: 1.234 parses to exactly the literal 1.234.
  return (seconds * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3))) / 1000;
}

/** Blocks separated by blank lines; each cue block has a timing line and text after it. */
function parseBlocks(content: string, decode: (text: string) => string): Segment[] {
  const normalized = content.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const segments: Segment[] = [];
  for (const block of normalized.split(/\n[ \t]*\n/)) {
    const lines = block.split('\n');
    const timingAt = lines.findIndex((line) => TIMING.test(line.trim()));
    if (timingAt < 0) continue; // header, NOTE, STYLE, REGION or junk
    const match = TIMING.exec(lines[timingAt]!.trim())!;
    const text = decode(
      lines
        .slice(timingAt + 1)
        .map((line) => line.trim())
        .filter(Boolean)
        .join('\n'),
    );
    if (!text) continue;
    segments.push({ start: parseTimestamp(match[1]!), end: parseTimestamp(match[2]!), text });
  }
  return segments;
}

/** Word joiners our writers put in to make `-->`, `<` and `\` inert (see cue-markup) come out again. */
function removeJoiners(text: string): string {
  return text.replace(/--\u2060>/g, '-->').replace(/([<\\])\u2060/g, '$1');
}

export function parseSrt(content: string): Segment[] {
  return parseBlocks(content, removeJoiners);
}

export function parseWebVtt(content: string): Segment[] {
  return parseBlocks(content, (text) => removeJoiners(unescapeVtt(text)));
}

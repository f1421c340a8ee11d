import type { Segment } from '@babelfish/core';
import { SRT_TIMING } from './subtitle-sniff';

/**
 * SubRip as people's tools actually write it: a byte-order mark, CRLF or CR line ends, counters
 * that are wrong, missing or absent, blank lines missing between cues or doubled, a dot instead
 * of a comma, coordinates after the timing (`X1:… Y1:…`). A cue is a timing line and the text
 * after it, up to a blank line or the next timing line; a bare number right before a timing
 * line is that cue's counter, not text. Markup (`<i>`, `<font …>`, ASS overrides `{\an8}`) is
 * removed: imported text is plain, and the writers add what their format needs.
 */
export function parseSrtImport(text: string): Segment[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const cues: { start: number; end: number; lines: string[] }[] = [];
  let current: (typeof cues)[number] | undefined;
  let afterBlank = false;
  for (const raw of lines) {
    const line = raw.trim();
    const timing = parseSrtTiming(line);
    if (timing) {
      // The counter of this cue, written without the blank line before it.
      if (current && !afterBlank && /^\d+$/.test(current.lines.at(-1) ?? '')) current.lines.pop();
      current = { ...timing, lines: [] };
      cues.push(current);
      afterBlank = false;
      continue;
    }
    if (line === '') {
      afterBlank = true;
      continue;
    }
    // After a blank line, a number is the next cue's counter; other text (a cue whose text has a
    // blank line in it) still belongs to the cue before.
    if (afterBlank && /^\d+$/.test(line)) continue;
    current?.lines.push(line);
    afterBlank = false;
  }
  return cues.map((cue) => ({ start: cue.start, end: cue.end, text: plainSrtText(cue.lines.join('\n')) }));
}

function parseSrtTiming(line: string): { start: number; end: number } | undefined {
  if (!SRT_TIMING.test(line)) return undefined;
  const [start, end] = line.split('-->').map((part) => clockSeconds(part.trim().split(/\s+/)[0] ?? ''));
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** `01:02:03,456`, `1:02:03.4`, `02:03,456` → seconds, exact to the millisecond. */
export function clockSeconds(value: string): number | undefined {
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?$/.exec(value);
  if (!match) return undefined;
  const [, hours = '0', minutes = '0', seconds = '0', fraction = '0'] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ms = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Number(fraction.padEnd(3, '0'));
  return ms / 1000;
}

/**
 * HTML-like tags players honour in SRT, and ASS override blocks some files carry. A tag cannot
 * hold another `<` (nor a block another `{`), which keeps the scan linear on hostile lines.
 */
const SRT_MARKUP = /<\/?(?:i|b|u|s|font|span|c)\b[^<>\n]*>|\{\\[^{}\n]*\}/gi;

function plainSrtText(text: string): string {
  return text.replace(SRT_MARKUP, '');
}

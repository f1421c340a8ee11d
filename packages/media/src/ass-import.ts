import type { Segment } from '@babelfish/core';
import { clockSeconds } from './srt-import';

/** The fields of an event line when the [Events] section has no Format line (v4+ and SSA v4 agree on where these are). */
const DEFAULT_FORMAT = ['layer', 'start', 'end', 'style', 'name', 'marginl', 'marginr', 'marginv', 'effect', 'text'];

/**
 * ASS/SSA: the `Dialogue:` lines of the [Events] section, read by that section's `Format:` line
 * (Text is the last field and may hold commas). Comment lines, styles, fonts and graphics are
 * skipped. Override blocks (`{\i1}`, `{\pos(…)}`, karaoke `{\k20}`, and `{…}` comments) are
 * removed, with the drawing commands of `{\p1}` vector drawings; `\N` is a line break and `\n`,
 * `\h` are spaces. A line shown twice at once (outline and fill on two layers) is kept once.
 */
export function parseAssImport(text: string): Segment[] {
  let section = '';
  let format = DEFAULT_FORMAT;
  const cues: Segment[] = [];
  const seen = new Set<string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    if (section !== 'events') continue;
    const field = /^([A-Za-z]+)\s*:\s?(.*)$/.exec(line);
    if (!field) continue;
    const kind = field[1]!.toLowerCase();
    if (kind === 'format') {
      const names = field[2]!.split(',').map((name) => name.trim().toLowerCase());
      if (names.includes('start') && names.includes('end') && names.at(-1) === 'text') format = names;
      continue;
    }
    if (kind !== 'dialogue') continue;
    const values = splitFields(field[2]!, format.length);
    const start = assTime(values[format.indexOf('start')]);
    const end = assTime(values[format.indexOf('end')]);
    if (start === undefined || end === undefined) continue;
    const cueText = plainAssText(values[format.length - 1] ?? '');
    const key = `${start}|${end}|${cueText}`;
    if (seen.has(key)) continue;
    seen.add(key);
    cues.push({ start, end, text: cueText });
  }
  return cues;
}

/** The first `count - 1` commas separate fields; the rest of the line is the text. */
function splitFields(value: string, count: number): string[] {
  const fields: string[] = [];
  let rest = value;
  while (fields.length < count - 1) {
    const comma = rest.indexOf(',');
    if (comma < 0) break;
    fields.push(rest.slice(0, comma).trim());
    rest = rest.slice(comma + 1);
  }
  fields.push(rest);
  return fields;
}

/** `0:01:02.34` (centiseconds); lenient about a comma or three digits. */
function assTime(value: string | undefined): number | undefined {
  return value === undefined ? undefined : clockSeconds(value.trim());
}

function plainAssText(value: string): string {
  let drawing = false;
  let out = '';
  // Alternating runs: text outside braces, override blocks inside them (a block holds no `{`,
  // which keeps the scan linear on a hostile line).
  for (const piece of value.split(/(\{[^{}]*\})/)) {
    if (piece.startsWith('{') && piece.endsWith('}')) {
      const scale = /\\p(\d+)/.exec(piece);
      if (scale) drawing = Number(scale[1]) > 0;
      continue;
    }
    if (!drawing) out += piece;
  }
  return out.replace(/\\N/g, '\n').replace(/\\[nh]/g, ' ');
}

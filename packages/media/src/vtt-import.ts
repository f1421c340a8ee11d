import type { Segment } from '@babelfish/core';
import { clockSeconds } from './srt-import';

export type VttImport = { cues: Segment[]; /** The header's `Language:` (YouTube and others write it), as written. */ language?: string };

const TIMING = /^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?$/;

/**
 * WebVTT by its blocks: the header (`WEBVTT` and metadata lines such as `Language: en`), NOTE
 * comments, STYLE and REGION blocks are skipped; a cue is an optional identifier, a timing line
 * whose settings (`align:start position:10%`) are dropped, and its payload up to a blank line.
 * Payload markup (voice `<v Name>`, classes `<c.x>`, `<i>`, ruby annotations, karaoke
 * timestamps `<00:01.500>`) is removed and character references decoded: the text is plain.
 */
export function parseVttImport(text: string): VttImport {
  const blocks = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).reduce<string[][]>(
    (all, line) => {
      if (line.trim() === '') all.push([]);
      else all.at(-1)!.push(line);
      return all;
    },
    [[]],
  );
  const nonEmpty = blocks.filter((block) => block.length > 0);
  const header = nonEmpty[0]?.[0]?.startsWith('WEBVTT') ? nonEmpty.shift()! : [];
  // A careless file starts its first cue right under the header, with no blank line between.
  const cueInHeader = header.findIndex((line) => line.includes('-->'));
  if (cueInHeader > 0) nonEmpty.unshift(header.splice(cueInHeader));
  const language = header.map((line) => /^language\s*:\s*(\S+)/i.exec(line.trim())?.[1]).find(Boolean);

  const cues: Segment[] = [];
  for (const block of nonEmpty) {
    const first = block[0]!.trim();
    if (/^(NOTE|STYLE|REGION)(?:\s|$)/.test(first) && !first.includes('-->')) continue;
    const timingAt = block.findIndex((line) => line.includes('-->'));
    // An identifier comes before the timing line; anything further down is not a cue.
    if (timingAt < 0 || timingAt > 1) continue;
    const match = TIMING.exec(block[timingAt]!.trim());
    const start = match ? clockSeconds(match[1]!) : undefined;
    const end = match ? clockSeconds(match[2]!) : undefined;
    if (start === undefined || end === undefined) continue;
    cues.push({ start, end, text: plainVttText(block.slice(timingAt + 1).join('\n')) });
  }
  return language ? { cues, language } : { cues };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

function plainVttText(payload: string): string {
  return (
    payload
      // Ruby annotations are a reading aid above the text, not more text. No pattern crosses a
      // `<`, so a hostile payload is scanned in linear time.
      .replace(/<rt\b[^<>]*>[^<]*/gi, '')
      .replace(/<\/?(?:c|i|b|u|v|lang|ruby|rt)(?:[.\s][^<>]*)?>/gi, '')
      .replace(/<\d[\d:.]*>/g, '')
      .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => decodeEntity(name) ?? whole)
  );
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[name.toLowerCase()];
}

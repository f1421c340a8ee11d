import { open } from 'node:fs/promises';

/**
 * What a user's subtitle file is, judged by its content (never its name): its bytes decoded
 * to text, and which of the formats we import (SRT, WebVTT, ASS/SSA) that text is.
 */

export const subtitleFormats = ['srt', 'vtt', 'ass'] as const;
export type SubtitleFormat = (typeof subtitleFormats)[number];

/**
 * The file's text: UTF-8 (a BOM or none), UTF-16 with a BOM (Windows tools write it), else
 * Windows-1252, which old SRT files from Western Europe use. Undefined when the bytes are not
 * text at all (NUL bytes or other control characters): a video, an image, an archive.
 */
export function decodeSubtitleBytes(bytes: Buffer): string | undefined {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  else {
    const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    text = decodeUtf8(body) ?? new TextDecoder('windows-1252').decode(body);
  }
  // A NUL never occurs in text; a stray control character can (a BEL pasted into a cue, removed
  // later like any), but many of them mean the bytes are something else.
  if (text.includes('\u0000')) return undefined;
  const controls = text.match(/[\u0001-\u0008\u000b\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls > 2 + text.length / 100 ? undefined : text;
}

function decodeUtf8(bytes: Buffer): string | undefined {
  // A head read by sniffSubtitleFile may end inside a character: up to three bytes are cut off.
  for (let cut = 0; cut <= 3 && cut < bytes.length; cut++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      // try one byte shorter
    }
  }
  return bytes.length === 0 ? '' : undefined;
}

/** A cue timing line as SRT writes it (a dot or a comma before the fraction; hours optional). */
export const SRT_TIMING = /^\s*(\d+:)?\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?\s*-->\s*(\d+:)?\d{1,2}:\d{1,2}(?:[,.]\d{1,3})?/;

/**
 * The format of a subtitle text, from its opening: WebVTT's signature line, an ASS/SSA section
 * header, or SRT's counter and timing line among the first lines. Undefined for anything else.
 */
export function detectSubtitleFormat(text: string): SubtitleFormat | undefined {
  const body = text.replace(/^\uFEFF/, '').replace(/^\s+/, '');
  if (/^WEBVTT(?:[ \t\r\n]|$)/.test(body)) return 'vtt';
  // Aegisub and others may put comment lines (";") before the first section.
  const firstSection = /^(?:;[^\n]*\n\s*)*\[([^\]\n]+)\]/i.exec(body);
  if (firstSection && /^(script info|v4\+? styles|events)$/i.test(firstSection[1]!.trim())) return 'ass';
  // SRT: a counter (or, in careless files, none) then a timing line, within the first lines.
  const lines = body.split(/\r\n?|\n/, 8).map((line) => line.trim());
  const timingAt = lines.findIndex((line) => SRT_TIMING.test(line));
  if (timingAt === 0 || (timingAt > 0 && lines.slice(0, timingAt).every((line) => line === '' || /^\d+$/.test(line)))) return 'srt';
  return undefined;
}

const SNIFF_BYTES = 4096;

/** Reads a file's first bytes and names its subtitle format; undefined for media and anything else. */
export async function sniffSubtitleFile(file: string): Promise<SubtitleFormat | undefined> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const text = decodeSubtitleBytes(buffer.subarray(0, bytesRead));
    return text === undefined ? undefined : detectSubtitleFormat(text);
  } finally {
    await handle.close();
  }
}

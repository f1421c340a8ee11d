import { AppError, normalizeCueText, type Segment } from '@babelfish/core';
import { parseAssImport } from './ass-import';
import { parseSrtImport } from './srt-import';
import { decodeSubtitleBytes, detectSubtitleFormat, type SubtitleFormat } from './subtitle-sniff';
import { parseVttImport } from './vtt-import';

export type ImportedSubtitleFile = {
  format: SubtitleFormat;
  /** In time order, with plain sanitised text (see cueLines); none is empty. */
  cues: Segment[];
  /** The language the file itself names (a WebVTT `Language:` header), as written. */
  language?: string;
};

/** How much a track may hold (the configured SUBTITLE_MAX_CUES / SUBTITLE_MAX_TEXT_BYTES). */
export type ImportLimits = { maxCues: number; maxTextBytes: number };

export const FORMAT_NAMES: Record<SubtitleFormat, string> = { srt: 'SRT', vtt: 'WebVTT', ass: 'ASS/SSA' };

/**
 * A subtitle file a user gave us, read into cues: the format by content, text decoded and made
 * plain (markup removed, control characters and blank lines dropped, as for an edited track),
 * cues without text or time left out. Refused with a reason a person can act on: binary or
 * not one of the formats (415), no usable cue (400), over the limits (413).
 */
export function readSubtitleFile(bytes: Buffer, limits?: ImportLimits): ImportedSubtitleFile {
  const { text, format } = subtitleText(bytes);

  const parsed = format === 'vtt' ? parseVttImport(text) : { cues: format === 'srt' ? parseSrtImport(text) : parseAssImport(text) };
  const cues = parsed.cues
    .map((cue) => ({ start: cue.start, end: cue.end, text: normalizeCueText(cue.text) }))
    .filter((cue) => cue.text !== '' && Number.isFinite(cue.start) && Number.isFinite(cue.end))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  if (cues.length === 0) {
    throw new AppError('BAD_REQUEST', `The ${FORMAT_NAMES[format]} file has no cue with a valid time and some text`);
  }
  if (limits && cues.length > limits.maxCues) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The subtitle file has ${cues.length} cues; the limit is ${limits.maxCues}`, { limit: limits.maxCues });
  }
  const textBytes = cues.reduce((sum, cue) => sum + Buffer.byteLength(cue.text, 'utf8'), 0);
  if (limits && textBytes > limits.maxTextBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The subtitle file's text is ${textBytes} bytes; the limit is ${limits.maxTextBytes}`, { limit: limits.maxTextBytes });
  }
  return parsed.language ? { format, cues, language: parsed.language } : { format, cues };
}

/**
 * A subtitle file's text and format, from all of its bytes or only its first ones (enough to
 * say why a file too large to read is not subtitles at all); a 415 saying what is wrong otherwise.
 */
export function subtitleText(bytes: Buffer): { text: string; format: SubtitleFormat } {
  const text = decodeSubtitleBytes(bytes);
  if (text === undefined) throw new AppError('UNSUPPORTED_MEDIA', 'The subtitle file is not text: give an SRT, WebVTT or ASS/SSA file');
  const format = detectSubtitleFormat(text);
  if (!format) throw new AppError('UNSUPPORTED_MEDIA', 'The subtitle file is not SRT, WebVTT or ASS/SSA (its opening matches none of them)');
  return { text, format };
}

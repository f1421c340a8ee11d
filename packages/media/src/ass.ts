import { findLanguage, type BilingualCue, type Segment } from '@babelfish/core';
import { escapeAssRun, renderCueLines } from './cue-markup';

/**
 * Advanced SubStation Alpha (ASS) subtitles with one readable default style: white text with a
 * black outline and soft shadow, bottom centre, sized to the picture so two lines of the
 * segmentation's line length fit its width. The same file is what burn-in renders (libass).
 */

export type AssOptions = {
  /** Picture size; sets the script's aspect ratio (cues scale with the video). Defaults to 16:9. */
  width?: number;
  height?: number;
  /** Language of the text (any code form): its script picks the font, its direction the layout; written as `Language:`. */
  language?: string;
  title?: string;
  /** Longest line the segmentation produces, so the font is sized for it to fit. */
  maxCharsPerLine?: number;
};

/**
 * Noto families (Debian's fonts-noto-core / fonts-noto-cjk) by ISO 15924 script, from the
 * language table; libass falls back through fontconfig for anything else.
 */
const fontByScript: Record<string, string> = {
  Hans: 'Noto Sans CJK SC',
  Hant: 'Noto Sans CJK TC',
  Jpan: 'Noto Sans CJK JP',
  Hang: 'Noto Sans CJK KR',
  Arab: 'Noto Sans Arabic',
  Hebr: 'Noto Sans Hebrew',
  Deva: 'Noto Sans Devanagari',
  Beng: 'Noto Sans Bengali',
  Guru: 'Noto Sans Gurmukhi',
  Gujr: 'Noto Sans Gujarati',
  Orya: 'Noto Sans Oriya',
  Taml: 'Noto Sans Tamil',
  Telu: 'Noto Sans Telugu',
  Knda: 'Noto Sans Kannada',
  Mlym: 'Noto Sans Malayalam',
  Sinh: 'Noto Sans Sinhala',
  Thai: 'Noto Sans Thai',
  Laoo: 'Noto Sans Lao',
  Khmr: 'Noto Sans Khmer',
  Mymr: 'Noto Sans Myanmar',
  Tibt: 'Noto Serif Tibetan', // Noto has no sans Tibetan
  Ethi: 'Noto Sans Ethiopic',
  Armn: 'Noto Sans Armenian',
  Geor: 'Noto Sans Georgian',
  Tfng: 'Noto Sans Tifinagh',
  Olck: 'Noto Sans Ol Chiki',
};
const DEFAULT_FONT = 'Noto Sans';

/** Script units: height is fixed, width follows the picture's aspect ratio. */
const PLAY_RES_Y = 1080;
const MAX_FONT_SIZE = 64;
/** Average advance of a Latin character as a fraction of the ASS font size (measured ≈ 0.34 for Noto Sans; kept generous). */
const CHAR_WIDTH_EM = 0.42;

export function assFontFor(language: string | undefined): string {
  const script = language === undefined ? undefined : findLanguage(language)?.script;
  return (script && fontByScript[script]) || DEFAULT_FONT;
}

/** Written right to left, as the language table says (Arabic and Hebrew scripts, Thaana, N'Ko…). */
export function isRightToLeft(language: string | undefined): boolean {
  return language !== undefined && findLanguage(language)?.direction === 'rtl';
}

/** U+202B RIGHT-TO-LEFT EMBEDDING … U+202C POP DIRECTIONAL FORMATTING. */
const RLE = '\u202B';
const PDF = '\u202C';

export function toAss(segments: readonly Segment[], options: AssOptions = {}): string {
  const rtl = isRightToLeft(options.language);
  return assScript(segments.map((segment) => ({ start: segment.start, end: segment.end, text: assText(segment.text, rtl) })), options);
}

/** A bilingual track's source line: the same font family for its script, smaller and light grey, so the translation stays the one read. */
const SOURCE_SIZE = 0.75;
const SOURCE_COLOUR = '&H00C8C8C8';

/**
 * Bilingual subtitles: in each event the source lines (style "Source": three quarters of the
 * size, grey) above the translation (style "Default", switched back to with `{\r}`).
 */
export function toBilingualAss(cues: readonly BilingualCue[], options: AssOptions & { sourceLanguage: string }): string {
  const rtl = isRightToLeft(options.language);
  const sourceRtl = isRightToLeft(options.sourceLanguage);
  const events = cues.map((cue) => {
    const translation = assText(cue.text, rtl);
    const source = assText(cue.source, sourceRtl);
    return { start: cue.start, end: cue.end, text: source && translation ? `{\\rSource}${source}\\N{\\r}${translation}` : translation };
  });
  return assScript(events, options, options.sourceLanguage);
}

function assScript(events: readonly { start: number; end: number; text: string }[], options: AssOptions, sourceLanguage?: string): string {
  const aspect = options.width && options.height ? options.width / options.height : 16 / 9;
  const playResX = Math.round(PLAY_RES_Y * aspect);
  const marginH = Math.round(playResX * 0.05);
  const marginV = Math.round(PLAY_RES_Y * 0.055);
  const maxChars = options.maxCharsPerLine ?? 42;
  const fontSize = Math.max(16, Math.min(MAX_FONT_SIZE, Math.floor((playResX - 2 * marginH) / (maxChars * CHAR_WIDTH_EM))));
  const outline = Math.max(2, Math.round(fontSize / 18));
  const language = options.language === undefined ? undefined : findLanguage(options.language);
  const style = (name: string, font: string, size: number, colour: string, border: number) =>
    `Style: ${name},${font},${size},${colour},&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,${border},1,2,${marginH},${marginH},${marginV},1`;

  const header = [
    '[Script Info]',
    '; Written by Babelfish',
    `Title: ${oneLine(options.title ?? 'Subtitles')}`,
    // Not in the ASS spec, but kept by Aegisub and read by some players and tools; libass ignores it.
    ...(language ? [`Language: ${language.code}`] : []),
    'ScriptType: v4.00+',
    // Smart wrapping only as a safety net: the segmentation already broke the lines.
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    `PlayResX: ${playResX}`,
    `PlayResY: ${PLAY_RES_Y}`,
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // White on a black outline with a half-transparent shadow, bottom centre (alignment 2).
    style('Default', assFontFor(options.language), fontSize, '&H00FFFFFF', outline),
    ...(sourceLanguage === undefined
      ? []
      : [style('Source', assFontFor(sourceLanguage), Math.round(fontSize * SOURCE_SIZE), SOURCE_COLOUR, Math.max(1, Math.round(outline * SOURCE_SIZE)))]),
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ];
  // ASS counts centiseconds: starts round down and ends up, so no cue gets shorter than the
  // millisecond times it was given, and a start never goes back before the previous end.
  let previousEnd = 0;
  const lines = events.flatMap((event) => {
    if (!event.text) return [];
    const start = Math.max(Math.floor(toMs(event.start) / 10), Math.min(previousEnd, Math.ceil(toMs(event.start) / 10)));
    const end = Math.max(Math.ceil(toMs(event.end) / 10), start + 1);
    previousEnd = end;
    return [`Dialogue: 0,${formatAssTime(start)},${formatAssTime(end)},Default,,0,0,0,,${event.text}`];
  });
  return [...header, ...lines, ''].join('\n');
}

/** `H:MM:SS.cc`, ASS's centisecond clock. */
export function formatAssTime(centiseconds: number): string {
  const hours = Math.floor(centiseconds / 360_000);
  const minutes = Math.floor((centiseconds % 360_000) / 6000);
  const seconds = Math.floor((centiseconds % 6000) / 100);
  const cs = centiseconds % 100;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${hours}:${pad(minutes)}:${pad(seconds)}.${pad(cs)}`;
}

function toMs(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/**
 * Cue text as ASS text: literal runs escaped (braces cannot open override blocks, backslashes
 * cannot start `\\N`, `\\h` or any other command; see escapeAssRun), the basic tags <i>, <b>,
 * <u> as the matching overrides, line breaks as `\\N`.
 *
 * `rightToLeft` (Arabic, Hebrew): libass lays every line out with a left-to-right base
 * direction (as VSFilter does), so a final "." or "?" or a leading number would land on the
 * wrong side; each line is embedded right to left instead.
 */
export function assText(text: string, rightToLeft = false): string {
  const lines = renderCueLines(text, escapeAssRun, (tag, open) => `{\\${tag}${open ? 1 : 0}}`);
  return (rightToLeft ? lines.map((line) => `${RLE}${line}${PDF}`) : lines).join('\\N');
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

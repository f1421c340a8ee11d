import { cueLines } from '@babelfish/core';

/**
 * Cue text is plain text with at most three formatting tags, `<i>`, `<b>` and `<u>` (and their
 * closing forms, exactly so written), which every format we write can express. Anything else a
 * text holds is shown literally: each writer escapes what its format (or the decoder that reads
 * it: ffmpeg turns SRT into ASS, which libass renders) would otherwise act on. Text cannot end
 * a cue, start a cue, move or restyle one.
 */

export type CuePiece = { text: string } | { tag: 'i' | 'b' | 'u'; open: boolean };

const BASIC_TAG = /<(\/?)([ibu])>/gi;

/** One line of cue text cut into literal runs and basic tags. */
export function linePieces(line: string): CuePiece[] {
  const pieces: CuePiece[] = [];
  let at = 0;
  for (const match of line.matchAll(BASIC_TAG)) {
    if (match.index > at) pieces.push({ text: line.slice(at, match.index) });
    pieces.push({ tag: match[2]!.toLowerCase() as 'i' | 'b' | 'u', open: match[1] === '' });
    at = match.index + match[0].length;
  }
  if (at < line.length) pieces.push({ text: line.slice(at) });
  return pieces;
}

/**
 * Renders cue text line by line: `escape` for literal runs, `tag` for basic tags. Lines are
 * the text's non-blank lines without control characters (see cueLines).
 */
export function renderCueLines(text: string, escape: (run: string) => string, tag: (name: 'i' | 'b' | 'u', open: boolean) => string): string[] {
  return cueLines(text).flatMap((line) => {
    const pieces = linePieces(line);
    // A line of tags alone shows nothing: it would only make an empty cue or a blank line.
    if (!pieces.some((piece) => 'text' in piece && piece.text.trim() !== '')) return [];
    return [pieces.map((piece) => ('text' in piece ? escape(piece.text) : tag(piece.tag, piece.open))).join('')];
  });
}

/** U+2060 WORD JOINER: invisible, and breaks a sequence a parser would otherwise recognise. */
export const WORD_JOINER = '\u2060';

/**
 * A literal run for SRT. SRT has no escapes, so the parts readers act on are made inert while
 * looking the same: `-->` (a timing line) gets a word joiner before `>`, `<` (ffmpeg and players
 * read `<font …>`, even `< b >`, as markup) gets one after it, a backslash (`\N`, `\h` are
 * commands once ffmpeg hands the text to libass) gets one after it, and braces (`{\pos(0,0)}`
 * is an ASS override to ffmpeg and many players; ffmpeg passes other braces to libass, which
 * hides them as comments) become fullwidth braces.
 */
export function escapeSrtRun(run: string): string {
  return run
    .replace(/-->/g, `--${WORD_JOINER}>`)
    .replace(/</g, `<${WORD_JOINER}`)
    .replace(/\\/g, `\\${WORD_JOINER}`)
    .replace(/\{/g, '\uff5b')
    .replace(/\}/g, '\uff5d');
}

/**
 * In WebVTT `<` starts a tag and `&` an entity; escaping `>` too keeps `-->` out of the text. A
 * backslash gets a word joiner after it: ffmpeg's WebVTT decoder (mpv, ffmpeg's own converters)
 * passes `\N` and `\h` to libass as commands.
 */
export function escapeVttRun(run: string): string {
  return run
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, `\\${WORD_JOINER}`);
}

/**
 * A literal run for ASS: braces are escaped (`\{`, `\}`, which libass shows as braces) and
 * every backslash gets a word joiner after it, so no `\N`, `\h` or `\pos` is a command. A word
 * joiner also follows each escaped brace, so no `{\` pair remains for a looser parser (ffmpeg's
 * ASS decoder) to take for an override block.
 */
export function escapeAssRun(run: string): string {
  return run.replace(/\\/g, `\\${WORD_JOINER}`).replace(/[{}]/g, (brace) => `\\${brace}${WORD_JOINER}`);
}

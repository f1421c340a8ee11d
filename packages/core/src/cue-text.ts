/**
 * Cue text as plain lines, the form every subtitle writer starts from and the API stores:
 * one kind of line break, no tabs, no blank lines, no characters a player could act on.
 */

/**
 * Characters that have no place in subtitle text: C0 controls other than line breaks and tab,
 * DEL, C1 controls, the bidi embeddings and overrides (U+202A–U+202E, the "Trojan source"
 * characters; isolates and the LRM/RLM marks stay, right-to-left text needs them), a BOM
 * inside text, and halves of a surrogate pair (not encodable as UTF-8).
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The first forbidden character in the text as `U+XXXX`, or undefined when there is none. */
export function forbiddenCharacter(text: string): string | undefined {
  FORBIDDEN.lastIndex = 0;
  const match = FORBIDDEN.exec(text);
  FORBIDDEN.lastIndex = 0;
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** Line breaks unified (CR, CRLF, U+2028/2029 → LF) and tabs made spaces; nothing removed. */
export function unifyWhitespace(text: string): string {
  return text.replace(/\r\n?|[\u2028\u2029\u0085]/g, '\n').replace(/\t/g, ' ');
}

/**
 * The text's lines, trimmed, without blank lines (a blank line ends a cue in SRT and WebVTT)
 * and with forbidden characters removed. Writers call this on every text, engine-made or edited.
 */
export function cueLines(text: string): string[] {
  return unifyWhitespace(text)
    .replace(FORBIDDEN, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** `cueLines` joined with LF: what the API stores for an edited cue. */
export function normalizeCueText(text: string): string {
  return cueLines(text).join('\n');
}

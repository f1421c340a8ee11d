import { findLanguage, type Language } from '@babelfish/core';

/**
 * The language tag each container specifies for a track:
 * - MP4 (ISO/IEC 14496-12 `mdhd`): ISO 639-2/T, three letters packed in 15 bits (`deu`, `zho`).
 * - Matroska (the Language element): ISO 639-2/B (`ger`, `chi`). Matroska v4 also has
 *   LanguageBCP47 (`zh-Hant`), but Debian's ffmpeg 5.1 does not write it: its muxer has no option
 *   for it, and a BCP-47 value in the `language` tag lands verbatim in the ISO 639-2 element,
 *   which players then do not understand. The script of Chinese (Hans/Hant) is in the title.
 * Both fall back to the macrolanguage's code, else ISO 639-3, for languages outside ISO 639-2.
 */
export type TaggedContainer = 'mp4' | 'mkv';

export function containerLanguageTag(language: Language, container: TaggedContainer): string {
  return container === 'mp4' ? language.iso6392T : language.iso6392;
}

/**
 * A tag already on an upload's stream (any code form) in the form this container takes; an
 * unknown one (`und`, a private code) stays as it was.
 */
export function retagForContainer(tag: string, container: TaggedContainer): string {
  const language = findLanguage(tag);
  return language ? containerLanguageTag(language, container) : tag;
}

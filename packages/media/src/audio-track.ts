import { AppError, findLanguage, type ChosenAudioTrack } from '@babelfish/core';
import type { MediaInfo, MediaStreamInfo } from './probe';

/**
 * Which audio track a job listens to. Films and TV rips carry several (dubs, commentary,
 * audio description); transcribing the wrong one gives a fluent transcript of the wrong
 * language, so the choice is made once, at submission, and every later stage uses it.
 */

export type AudioTrackChoice = { from?: string | null; audioTrack?: number };

/** The audio streams in ffmpeg's `a:N` order. */
export function audioStreams(info: Pick<MediaInfo, 'streams'>): MediaStreamInfo[] {
  return info.streams.filter((stream) => stream.kind === 'audio');
}

/**
 * An explicit track wins; else the first track tagged with the source language; else the
 * one marked default; else the first. Throws BAD_REQUEST for a track that does not exist.
 */
export function chooseAudioTrack(info: Pick<MediaInfo, 'streams'>, choice: AudioTrackChoice = {}): { stream: MediaStreamInfo; track: number; chosenBy: NonNullable<ChosenAudioTrack['chosenBy']> } | undefined {
  const streams = audioStreams(info);
  if (choice.audioTrack !== undefined) {
    const stream = streams[choice.audioTrack];
    if (!stream) {
      throw new AppError('BAD_REQUEST', `audioTrack ${choice.audioTrack} does not exist: the upload has ${streams.length} audio track(s), numbered from 0`);
    }
    return { stream, track: choice.audioTrack, chosenBy: 'audioTrack' };
  }
  if (streams.length === 0) return undefined;
  if (choice.from) {
    const track = streams.findIndex((stream) => languageTagMatches(stream.language, choice.from!));
    if (track >= 0) return { stream: streams[track]!, track, chosenBy: 'language' };
  }
  const fallback = streams.findIndex((stream) => stream.isDefault);
  // Only a *single* default means something: muxers that mark every track default say nothing.
  if (fallback >= 0 && streams.filter((stream) => stream.isDefault).length < streams.length) {
    return { stream: streams[fallback]!, track: fallback, chosenBy: 'default' };
  }
  return { stream: streams[0]!, track: 0, chosenBy: 'first' };
}

/**
 * Container tags are ISO 639-2, bibliographic (`ger`) or terminological (`deu`), sometimes
 * ISO 639-1 or BCP 47 (`en-US` in newer MKVs); `from` is any code the table knows. Speech has no
 * script, so only the language subtag counts (`zh-Hant` speech is in a `chi` track), and a
 * macrolanguage's tag matches its members (Egyptian Arabic speech in an `ara` track).
 */
export function languageTagMatches(tag: string | undefined, code: string): boolean {
  const language = findLanguage(code);
  const tagged = tag ? findLanguage(tag.split(/[-_]/)[0]!) : undefined;
  if (!language || !tagged) return false;
  return tagged.code === language.code || tagged.iso6393 === language.iso6393 || tagged.iso6392 === language.iso6392;
}

/** Layouts with a front-centre channel beside front left/right, as ffmpeg names them. */
const CENTRE_LAYOUTS = new Set([
  '3.0', '3.1', '4.0', '4.1', '5.0', '5.0(side)', '5.1', '5.1(side)', '6.0', '6.1', '6.1(back)', 'hexagonal',
  '7.0', '7.0(front)', '7.1', '7.1(wide)', '7.1(wide-side)', '7.1(top)', 'octagonal', '5.1.2', '5.1.4', '7.1.2', '7.1.4', '7.2.3', '9.1.4', '9.1.6',
]);

/** Silence shorter than this at the start is codec priming, not a delay worth padding. */
const MIN_OFFSET_SECONDS = 0.005;

/**
 * The `-af` chain that turns the chosen track into what speech models hear, or undefined:
 * - surround: dialogue is mixed into the centre channel. `-ac 1` averages every channel, so
 *   music and effects in the other five (or seven) bury it; the centre is weighted up instead
 *   and the surrounds and LFE, which carry no dialogue, are left out;
 * - a track that starts after the picture (muxed with an offset, an edit list): silence is
 *   padded in front so that times in the WAV are times on the video's timeline.
 */
export function speechFilter(track: Pick<ChosenAudioTrack, 'channelLayout' | 'startOffsetSeconds'>): string | undefined {
  const filters: string[] = [];
  if (track.channelLayout && CENTRE_LAYOUTS.has(track.channelLayout)) filters.push('pan=mono|c0=0.6*FC+0.2*FL+0.2*FR');
  const offset = track.startOffsetSeconds ?? 0;
  if (offset >= MIN_OFFSET_SECONDS) filters.push(`adelay=delays=${Math.round(offset * 1000)}:all=1`);
  return filters.length > 0 ? filters.join(',') : undefined;
}

/** The track's start relative to the timeline's origin (the container start, else the earliest stream). */
export function startOffset(info: Pick<MediaInfo, 'streams' | 'startSeconds'>, stream: MediaStreamInfo): number {
  if (stream.startSeconds === undefined) return 0;
  const starts = info.streams.filter((other) => other.kind !== 'subtitle').map((other) => other.startSeconds ?? 0);
  const origin = info.startSeconds ?? Math.min(...starts);
  return Math.max(0, Number((stream.startSeconds - origin).toFixed(3)));
}

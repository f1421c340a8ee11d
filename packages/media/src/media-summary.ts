import type { AudioTrackSummary, ChosenAudioTrack, MediaSummary } from '@babelfish/core';
import { audioStreams, chooseAudioTrack, startOffset, type AudioTrackChoice } from './audio-track';
import type { MediaInfo, MediaStreamInfo } from './probe';

/**
 * The facts later stages need (codecs, picture size, the audio track to use and the subtitle
 * streams to keep), small enough to keep on the job. `choice` picks the audio track; a track
 * that does not exist is a BAD_REQUEST.
 */
export function summarizeMedia(info: MediaInfo, choice: AudioTrackChoice = {}): MediaSummary {
  const video = info.streams.find((stream) => stream.kind === 'video');
  const tracks = audioStreams(info);
  const chosen = chooseAudioTrack(info, choice);
  const subtitles = info.streams.filter((stream) => stream.kind === 'subtitle');
  return {
    ...(video ? { video: summarizeVideo(video) } : {}),
    ...(chosen ? { audio: summarizeChosen(info, chosen) } : {}),
    // One track needs no list: the job view shows a choice only when there was one.
    ...(tracks.length > 1 ? { audioTracks: tracks.map((stream, track) => summarizeTrack(stream, track)) } : {}),
    ...(subtitles.length > 0
      ? { subtitles: subtitles.map((stream) => ({ index: stream.index, codec: stream.codec, ...optional({ language: stream.language, title: stream.title }) })) }
      : {}),
  };
}

function summarizeVideo(video: MediaStreamInfo): NonNullable<MediaSummary['video']> {
  // A 90° or 270° rotation shows the picture on its side: players (and ffmpeg, which rotates
  // when decoding) show height × width.
  const sideways = video.rotation === 90 || video.rotation === 270;
  const width = sideways ? video.height : video.width;
  const height = sideways ? video.width : video.height;
  return { codec: video.codec, ...optional({ width, height, rotation: video.rotation }) };
}

function summarizeTrack(stream: MediaStreamInfo, track: number): AudioTrackSummary {
  return {
    track,
    codec: stream.codec,
    ...optional({ language: stream.language, title: stream.title, channels: stream.channels, channelLayout: stream.channelLayout }),
    isDefault: stream.isDefault,
  };
}

function summarizeChosen(info: MediaInfo, chosen: NonNullable<ReturnType<typeof chooseAudioTrack>>): ChosenAudioTrack {
  const { isDefault: _isDefault, ...track } = summarizeTrack(chosen.stream, chosen.track);
  const offset = startOffset(info, chosen.stream);
  return { ...track, chosenBy: chosen.chosenBy, ...(offset > 0 ? { startOffsetSeconds: offset } : {}) };
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== 0)) as Partial<T>;
}

import { AppError } from '@babelfish/core';
import { chooseAudioTrack, languageTagMatches, speechFilter, startOffset } from './audio-track';
import { summarizeMedia } from './media-summary';
import type { MediaInfo, MediaStreamInfo } from './probe';

const stream = (index: number, fields: Partial<MediaStreamInfo>): MediaStreamInfo => ({ index, kind: 'audio', codec: 'aac', isDefault: false, ...fields });
const media = (streams: MediaStreamInfo[], startSeconds?: number): MediaInfo => ({
  path: 'in.mkv', durationSeconds: 10, formatName: 'matroska,webm', sizeBytes: 1, streams, hasVideo: true, hasAudio: true, ...(startSeconds === undefined ? {} : { startSeconds }),
});

describe('chooseAudioTrack', () => {
  const info = media([
    stream(0, { kind: 'video', codec: 'h264' }),
    stream(1, { language: 'spa', isDefault: true }),
    stream(2, { language: 'eng' }),
    stream(3, {}),
  ]);
  it('prefers an explicit track, then the source language, then the default, then the first', () => {
    expect(chooseAudioTrack(info, { audioTrack: 2, from: 'es' })).toMatchObject({ track: 2, chosenBy: 'audioTrack' });
    expect(chooseAudioTrack(info, { from: 'en' })).toMatchObject({ track: 1, chosenBy: 'language', stream: { language: 'eng' } });
    expect(chooseAudioTrack(info, { from: 'fr' })).toMatchObject({ track: 0, chosenBy: 'default', stream: { language: 'spa' } });
    const noDefault = media(info.streams.map((entry) => ({ ...entry, isDefault: false })));
    expect(chooseAudioTrack(noDefault, {})).toMatchObject({ track: 0, chosenBy: 'first' });
  });
  it('rejects a track that does not exist with a 400', () => {
    expect(() => chooseAudioTrack(info, { audioTrack: 3 })).toThrow(AppError);
    expect(() => chooseAudioTrack(info, { audioTrack: 3 })).toThrow(/3 audio track\(s\)/);
  });
  it('matches bibliographic, terminological, two-letter and BCP 47 tags', () => {
    expect(languageTagMatches('ger', 'de')).toBe(true);
    expect(languageTagMatches('deu', 'de')).toBe(true);
    expect(languageTagMatches('en-US', 'en')).toBe(true);
    expect(languageTagMatches('spa', 'en')).toBe(false);
    expect(languageTagMatches(undefined, 'en')).toBe(false);
    // Any code form of the table, either side; scripts and macrolanguages as speech needs them.
    expect(languageTagMatches('chi', 'zh-Hant')).toBe(true);
    expect(languageTagMatches('zh', 'zh-Hans')).toBe(true);
    expect(languageTagMatches('sr-Latn', 'sr')).toBe(true);
    expect(languageTagMatches('ara', 'arz')).toBe(true);
    expect(languageTagMatches('nor', 'no')).toBe(true);
    expect(languageTagMatches('und', 'en')).toBe(false);
  });
});

describe('speechFilter and startOffset', () => {
  it('weights the centre channel of surround layouts and pads a late start', () => {
    expect(speechFilter({ channelLayout: '5.1(side)' })).toBe('pan=mono|c0=0.6*FC+0.2*FL+0.2*FR');
    expect(speechFilter({ channelLayout: 'stereo' })).toBeUndefined();
    expect(speechFilter({ channelLayout: 'mono', startOffsetSeconds: 2 })).toBe('adelay=delays=2000:all=1');
    expect(speechFilter({ startOffsetSeconds: 0.001 })).toBeUndefined();
  });
  it('measures the audio start from the container start', () => {
    const late = stream(1, { startSeconds: 2.0213 });
    expect(startOffset(media([stream(0, { kind: 'video', startSeconds: 0 }), late], 0), late)).toBe(2.021);
    // MPEG-TS timelines start far from zero; only the difference counts.
    const ts = stream(1, { startSeconds: 1.4 });
    expect(startOffset(media([stream(0, { kind: 'video', startSeconds: 1.5 }), ts], 1.4), ts)).toBe(0);
  });
});

describe('summarizeMedia', () => {
  it('keeps the chosen track, every track, the subtitle streams and the displayed picture size', () => {
    const summary = summarizeMedia(
      media([
        stream(0, { kind: 'video', codec: 'h264', width: 1920, height: 1080, rotation: 90 }),
        stream(1, { language: 'spa', channels: 2, channelLayout: 'stereo', startSeconds: 0 }),
        stream(2, { language: 'eng', channels: 6, channelLayout: '5.1', startSeconds: 0.5, isDefault: true }),
        stream(3, { kind: 'subtitle', codec: 'subrip', language: 'fre' }),
      ], 0),
      { from: 'en' },
    );
    expect(summary).toEqual({
      video: { codec: 'h264', width: 1080, height: 1920, rotation: 90 },
      audio: { track: 1, codec: 'aac', language: 'eng', channels: 6, channelLayout: '5.1', chosenBy: 'language', startOffsetSeconds: 0.5 },
      audioTracks: [
        { track: 0, codec: 'aac', language: 'spa', channels: 2, channelLayout: 'stereo', isDefault: false },
        { track: 1, codec: 'aac', language: 'eng', channels: 6, channelLayout: '5.1', isDefault: true },
      ],
      subtitles: [{ index: 3, codec: 'subrip', language: 'fre' }],
    });
  });
});

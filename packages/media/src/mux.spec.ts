import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLanguage } from '@babelfish/core';
import { buildMuxArgs, muxSubtitles } from './mux';
import { runFfprobeJson } from './process';
import { toSrt } from './subtitles';

const JFK = '/work/shared/samples/jfk.mp4';
let dir: string;
let spanish: string;
let french: string;

type Probed = {
  streams: { codec_type: string; codec_name: string; tags?: Record<string, string>; disposition?: Record<string, number> }[];
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-mux-'));
  spanish = join(dir, 'es.srt');
  french = join(dir, 'fr.srt');
  await writeFile(spanish, toSrt([{ start: 0.5, end: 3, text: 'Y así, mis compatriotas:' }, { start: 3.2, end: 7, text: 'no pregunten qué puede hacer su país por ustedes' }]));
  await writeFile(french, toSrt([{ start: 0.5, end: 3, text: 'Et donc, mes chers compatriotes,' }]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['mp4', 'mov_text'],
  ['mkv', 'subrip'],
] as const)('muxSubtitles into %s', (container, subtitleCodec) => {
  it('copies video and audio and adds tagged subtitle tracks', async () => {
    const output = join(dir, `out.${container}`);
    const percents: number[] = [];
    await muxSubtitles({
      video: JFK,
      tracks: [
        { path: spanish, language: getLanguage('es') },
        { path: french, language: getLanguage('fr'), title: 'Français' },
      ],
      output,
      container,
      onProgress: (percent) => percents.push(percent),
    });

    const probed = await runFfprobeJson<Probed>(['-show_streams', output]);
    const video = probed.streams.filter((stream) => stream.codec_type === 'video');
    const audio = probed.streams.filter((stream) => stream.codec_type === 'audio');
    const subtitles = probed.streams.filter((stream) => stream.codec_type === 'subtitle');
    expect(video.map((stream) => stream.codec_name)).toEqual(['h264']);
    expect(audio.map((stream) => stream.codec_name)).toEqual(['aac']);
    expect(subtitles.map((stream) => stream.codec_name)).toEqual([subtitleCodec, subtitleCodec]);
    // Each container's own form of ISO 639-2: /T in MP4, /B in Matroska (container-language.ts).
    expect(subtitles.map((stream) => stream.tags?.language)).toEqual(container === 'mp4' ? ['spa', 'fra'] : ['spa', 'fre']);
    // MKV stores a track title; MP4 has none, so the name goes in the handler players display.
    const titleTag = container === 'mp4' ? 'handler_name' : 'title';
    expect(subtitles.map((stream) => stream.tags?.[titleTag])).toEqual(['Spanish', 'Français']);
    expect(subtitles.map((stream) => stream.disposition?.default)).toEqual([1, 0]);
    expect(percents.length).toBeGreaterThan(0);
    expect(percents.at(-1)).toBe(100);
  });
});

describe('muxSubtitles with the codecs already known', () => {
  it('runs ffmpeg alone: no ffprobe (a missing ffprobe binary does not matter)', async () => {
    const output = join(dir, 'known.mp4');
    await muxSubtitles({
      video: JFK,
      tracks: [{ path: spanish, language: getLanguage('es') }],
      output,
      container: 'mp4',
      durationSeconds: 11,
      sourceCodecs: { video: 'h264', audio: 'aac' },
      ffprobePath: join(dir, 'no-such-ffprobe'),
    });
    const probed = await runFfprobeJson<Probed>(['-show_streams', output]);
    expect(probed.streams.map((stream) => stream.codec_type)).toEqual(['video', 'audio', 'subtitle']);
  });
});

describe('buildMuxArgs codec choice', () => {
  const tracks = [{ path: 'es.srt', language: getLanguage('es') }];
  it('copies streams the container takes and re-encodes only the others', () => {
    const wavIntoMp4 = buildMuxArgs({ video: 'in.wav', tracks, container: 'mp4', sourceCodecs: { audio: 'pcm_s16le' } }, 'out.mp4');
    expect(wavIntoMp4.join(' ')).toContain('-c:a aac');
    expect(wavIntoMp4.join(' ')).toContain('-c:v copy');
    const wavIntoMkv = buildMuxArgs({ video: 'in.wav', tracks, container: 'mkv', sourceCodecs: { audio: 'pcm_s16le' } }, 'out.mkv');
    expect(wavIntoMkv.join(' ')).toContain('-c:a copy');
    const mpeg2IntoMp4 = buildMuxArgs({ video: 'in.mpg', tracks, container: 'mp4', sourceCodecs: { video: 'mpeg2video', audio: 'aac' } }, 'out.mp4');
    expect(mpeg2IntoMp4.join(' ')).toContain('-c:v libx264');
    expect(mpeg2IntoMp4.join(' ')).toContain('-c:a copy');
  });
});

describe('buildMuxArgs stream choice', () => {
  const tracks = [{ path: 'es.srt', language: getLanguage('es') }];
  it('maps one picture (never cover art), only the job\'s audio track, and the upload\'s subtitles after ours', () => {
    const args = buildMuxArgs(
      {
        video: 'in.mkv', tracks, container: 'mkv', audioTrack: 2,
        inputSubtitles: [{ index: 4, codec: 'subrip', language: 'fre' }, { index: 5, codec: 'hdmv_pgs_subtitle' }, { index: 6, codec: 'mov_text' }, { index: 7, codec: 'eia_608' }],
      },
      'out.mkv',
    ).join(' ');
    expect(args).toContain('-map 0:V:0? -map 0:a:2? -map 1:0 -map 0:4 -map 0:5 -map 0:6 -c:v');
    expect(args).toContain('-c:s:1 copy -disposition:s:1 0 -metadata:s:s:1 language=fre -c:s:2 copy -disposition:s:2 0 -c:s:3 srt -disposition:s:3 0');
    expect(args).not.toContain('0:7');
    // MP4 takes text subtitles only (as mov_text); bitmap ones are left out.
    const mp4 = buildMuxArgs({ video: 'in.mkv', tracks, container: 'mp4', inputSubtitles: [{ index: 4, codec: 'ass' }, { index: 5, codec: 'dvd_subtitle' }] }, 'out.mp4').join(' ');
    expect(mp4).toContain('-map 1:0 -map 0:4 -c:v');
    expect(mp4).toContain('-c:s:1 mov_text');
  });
});

describe('buildMuxArgs default track', () => {
  const dispositions = (tracks: Parameters<typeof buildMuxArgs>[0]['tracks']) =>
    [...buildMuxArgs({ video: 'in.mp4', tracks, container: 'mkv' }, 'out.mkv').join(' ').matchAll(/-disposition:s:(\d+) (\S+)/g)].map((match) => match[2]);
  it('is the first track unless tracks say; then exactly those marked (an original-language track is not)', () => {
    const es = { path: 'es.srt', language: getLanguage('es') };
    const en = { path: 'en.srt', language: getLanguage('en'), title: 'English (original)' };
    expect(dispositions([es, en])).toEqual(['default', '0']);
    expect(dispositions([{ ...en, isDefault: false }])).toEqual(['0']);
    expect(dispositions([{ ...es, isDefault: true }, { ...en, isDefault: false }])).toEqual(['default', '0']);
  });
});

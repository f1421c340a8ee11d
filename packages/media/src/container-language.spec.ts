import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLanguage } from '@babelfish/core';
import { toAss } from './ass';
import { containerLanguageTag, retagForContainer } from './container-language';
import { writeWavMono16 } from './audio-energy';
import { muxDubbedAudio } from './dub-mux';
import { muxSubtitles } from './mux';
import { runFfmpeg, runFfprobeJson } from './process';
import { parseWebVtt, toSrt, toWebVtt, webVttLanguage } from './subtitles';

/**
 * Language tags as ffmpeg really writes them and ffprobe reads them back: MP4 takes ISO 639-2/T,
 * Matroska ISO 639-2/B; the two differ for German (deu/ger) and Chinese (zho/chi).
 */
const JFK = '/work/shared/samples/jfk.mp4';
let dir: string;

type Probed = { streams: { index: number; codec_type: string; tags?: Record<string, string> }[] };
const tagsOf = async (file: string, type: string) =>
  (await runFfprobeJson<Probed>(['-show_streams', file])).streams.filter((stream) => stream.codec_type === type).map((stream) => stream.tags ?? {});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-tags-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// German and Chinese differ between the forms; Egyptian Arabic has no ISO 639-2 code (its
// macrolanguage's, ara); Kabiyè has neither (its ISO 639-3 code).
const languages = ['de', 'zh-Hant', 'arz', 'kbp'];
const expected = { mp4: ['deu', 'zho', 'ara', 'kbp'], mkv: ['ger', 'chi', 'ara', 'kbp'] };

describe.each(['mp4', 'mkv'] as const)('subtitle track language tags in %s', (container) => {
  it('are the container\'s form of each language, as ffprobe reads them', async () => {
    const tracks = await Promise.all(
      languages.map(async (code) => {
        const path = join(dir, `${code}.srt`);
        await writeFile(path, toSrt([{ start: 0.5, end: 2, text: `${code} text` }]));
        return { path, language: getLanguage(code) };
      }),
    );
    const output = join(dir, `tagged.${container}`);
    await muxSubtitles({ video: JFK, tracks, output, container });
    const tags = await tagsOf(output, 'subtitle');
    console.log(`${container} subtitle tags: ${tags.map((tag) => tag.language).join(' ')}`);
    expect(tags.map((tag) => tag.language)).toEqual(expected[container]);
    expect(tracks.map((track) => containerLanguageTag(track.language, container))).toEqual(expected[container]);
    // The script (Traditional) is not in either tag, so the title carries it.
    expect(tags[1]?.[container === 'mp4' ? 'handler_name' : 'title']).toBe('Chinese (Traditional)');
  });
});

describe('an upload\'s own subtitle tags', () => {
  it('are rewritten in the form of the container they are copied into', async () => {
    // An MKV with a German track tagged the Matroska way…
    const source = join(dir, 'upload.mkv');
    const german = join(dir, 'upload-de.srt');
    await writeFile(german, toSrt([{ start: 0.5, end: 2, text: 'Frage nicht' }]));
    await muxSubtitles({ video: JFK, tracks: [{ path: german, language: getLanguage('de') }], output: source, container: 'mkv' });
    const uploaded = (await runFfprobeJson<Probed>(['-show_streams', source])).streams.find((stream) => stream.codec_type === 'subtitle')!;
    expect(uploaded.tags?.language).toBe('ger');

    // …keeps it after ours, as `deu` in the MP4 and `ger` in the MKV.
    const spanish = join(dir, 'es.srt');
    await writeFile(spanish, toSrt([{ start: 0.5, end: 2, text: 'No pregunten' }]));
    for (const [container, tag] of [['mp4', 'deu'], ['mkv', 'ger']] as const) {
      const output = join(dir, `kept.${container}`);
      await muxSubtitles({
        video: source,
        tracks: [{ path: spanish, language: getLanguage('es') }],
        output,
        container,
        inputSubtitles: [{ index: uploaded.index, codec: 'subrip', language: 'ger' }],
      });
      expect((await tagsOf(output, 'subtitle')).map((tags) => tags.language)).toEqual(['spa', tag]);
    }
    expect(retagForContainer('und', 'mp4')).toBe('und');
  });
});

describe('dubbed audio track tags', () => {
  it('are ISO 639-2/T, since the dubbed video is an MP4', async () => {
    const wav = join(dir, 'dub.wav');
    await writeWavMono16(wav, new Float32Array(16_000).map((_, i) => 0.2 * Math.sin(i / 10)), 16_000);
    const output = join(dir, 'dubbed.mp4');
    await muxDubbedAudio({ video: JFK, tracks: [{ wav, language: getLanguage('de') }], originalLanguage: getLanguage('en'), output });
    expect((await tagsOf(output, 'audio')).map((tags) => tags.language)).toEqual(['eng', 'deu']);
  });
});

describe('language metadata inside subtitle files', () => {
  it('WebVTT carries a Language header line that players skip and the parser ignores', async () => {
    const segments = [{ start: 1, end: 2.5, text: '我們的國家' }];
    const vtt = toWebVtt(segments, { language: 'zh-TW' });
    expect(vtt.split('\n').slice(0, 3)).toEqual(['WEBVTT', 'Language: zh-Hant', '']);
    expect(webVttLanguage(vtt)).toBe('zh-Hant');
    expect(parseWebVtt(vtt)).toEqual([{ start: 1, end: 2.5, text: '我們的國家' }]);
    expect(webVttLanguage(toWebVtt(segments))).toBeUndefined();
    // ffmpeg's WebVTT reader (as a player's would) skips the header and finds the one cue.
    const file = join(dir, 'header.vtt');
    await writeFile(file, vtt);
    const converted = join(dir, 'header.srt');
    await runFfmpeg(['-v', 'error', '-i', file, '-y', converted]);
    const srt = await readFile(converted, 'utf8');
    expect(srt).toContain('我們的國家');
    expect(srt).not.toContain('Language');
  });

  it('ASS names the language in [Script Info], picks the script\'s font and the table\'s direction', () => {
    const ass = toAss([{ start: 0, end: 1, text: 'مرحبا' }], { language: 'arz' });
    expect(ass).toContain('\nLanguage: arz\n');
    expect(ass).toContain('Style: Default,Noto Sans Arabic,');
    expect(ass).toContain('\u202Bمرحبا\u202C'); // right-to-left embedding, from the table's direction
    expect(toAss([], { language: 'yue' })).toContain('Style: Default,Noto Sans CJK TC,');
    expect(toAss([], { language: 'am' })).toContain('Style: Default,Noto Sans Ethiopic,');
    expect(toAss([{ start: 0, end: 1, text: 'ⵜⴰⵎⴰⵣⵉⵖⵜ' }], { language: 'tzm' })).not.toContain('\u202B');
  });
});

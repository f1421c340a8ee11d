import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getLanguage, type Segment } from '@babelfish/core';
import { toAss } from './ass';
import { muxSubtitles } from './mux';
import { parseSrt, parseWebVtt, toSrt, toWebVtt } from './subtitles';

/**
 * Hostile cue text against every writer: each file must hold exactly the cues we wrote, read
 * back by our parser and by ffmpeg (whose SRT decoder feeds the MKV and MP4 tracks), with no
 * markup but the basic tags surviving.
 */

const run = promisify(execFile);
const JFK = '/work/shared/samples/jfk.mp4';

const hostile: Segment[] = [
  { start: 1, end: 2, text: 'Hello\n\n3\n00:00:20,000 --> 00:00:25,000\nInjected cue' },
  { start: 3, end: 4, text: '{\\pos(0,0)}{\\fs200}Moved <font color="red" size="80">red</font>' },
  { start: 5, end: 6, text: 'ask not < b > what \\N your \\h country {\\an8} can <i>do</i>' },
  { start: 7, end: 8, text: '7\n00:00:30,000 --> 00:00:31,000\nstill cue four' },
  { start: 9, end: 10, text: 'nul\u0000 bell\u0007 esc\u001b[31m rlo\u202e tab\there\r\nCRLF\u2028line' },
  { start: 11, end: 12, text: '<i></i>\n\n<b> </b>' },
];
const EXPECTED_CUES = 5;
const LINES_PER_CUE = [4, 1, 1, 3, 3];
const expectedTimes = hostile.slice(0, EXPECTED_CUES).map(({ start, end }) => ({ start, end }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-inject-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ffmpegTo(format: 'srt' | 'ass', input: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', input, ...extra, '-f', format, '-'], { maxBuffer: 1 << 20 });
  return stdout;
}

/** Subtitle packets that carry text (MP4's timed text also stores an empty 2-byte sample for each gap). */
async function packetCount(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 's:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file]);
  return stdout.split('\n').filter((line) => Number.parseInt(line, 10) > 2).length;
}

/** Cue times relative to the first cue's start (a container may shift them all by the video's start time). */
function relativeTimes(segments: readonly Segment[]): { start: number; end: number }[] {
  const origin = segments[0]?.start ?? 0;
  return segments.map(({ start, end }) => ({ start: Math.round((start - origin) * 1000) / 1000, end: Math.round((end - origin) * 1000) / 1000 }));
}

/** Dialogue texts of an ASS script, and every override block they hold. */
function dialogues(ass: string): { texts: string[]; overrides: string[] } {
  const texts = ass
    .split(/\r?\n/)
    .filter((line) => line.startsWith('Dialogue:'))
    .map((line) => line.split(',').slice(9).join(','));
  // An override block is `{` not escaped by a backslash, up to the next `}`.
  const overrides = texts.flatMap((text) => [...text.matchAll(/(?<!\\)\{[^}]*\}/g)].map((match) => match[0]));
  return { texts, overrides };
}

/** What ffmpeg's SRT decoder makes of a file: the ASS events the MKV and MP4 tracks are encoded from. */
async function assertDecodesCleanly(file: string): Promise<void> {
  const asAss = await ffmpegTo('ass', file);
  const { texts, overrides } = dialogues(asAss);
  expect(texts).toHaveLength(EXPECTED_CUES);
  expect(new Set(overrides)).toEqual(new Set(['{\\i1}', '{\\i0}']));
  // `\N` only where the cue breaks a line; no text-made `\N` or `\h` command.
  expect(texts.map((text) => text.split('\\N').length)).toEqual(LINES_PER_CUE);
  expect(texts.join('\n')).not.toMatch(/\\h/);
  // Hostile text is shown literally: each backslash outside the tags is inert (joiner or escaped brace).
  expect(texts.join('\n').replace(/\{\\i[01]\}/g, '')).not.toMatch(/\\(?![N\u2060{}])/);
  expect(await packetCount(file)).toBe(EXPECTED_CUES);
}

describe('hostile subtitle text', () => {
  it('SRT: our parser and ffmpeg read exactly the written cues, with no markup but <i>', async () => {
    const srt = toSrt(hostile);
    const parsed = parseSrt(srt);
    expect(parsed.map(({ start, end }) => ({ start, end }))).toEqual(expectedTimes);
    expect(srt).not.toMatch(/\n\n(?!\d+\n\d\d:\d\d:\d\d,\d{3} --> )/); // every blank line starts a real cue
    expect(srt.match(/-->/g)).toHaveLength(EXPECTED_CUES);
    expect(srt).not.toMatch(/<(?!\/?i>|\u2060)|[{}\u0000-\u0009\u000b-\u001f\u202e]|\\(?!\u2060)/);
    expect(parsed[3]!.text.split('\n')).toHaveLength(3);
    expect(parsed[4]!.text).toBe('nul bell esc[31m rlo tab here\nCRLF\nline');

    const file = join(dir, 'hostile.srt');
    await writeFile(file, srt);
    await assertDecodesCleanly(file);
    expect(parseSrt(await ffmpegTo('srt', file)).map(({ start, end }) => ({ start, end }))).toEqual(expectedTimes);
  });

  it('WebVTT: our parser and ffmpeg read exactly the written cues, markup escaped', async () => {
    const vtt = toWebVtt(hostile);
    expect(parseWebVtt(vtt).map(({ start, end }) => ({ start, end }))).toEqual(expectedTimes);
    expect(vtt.match(/-->/g)).toHaveLength(EXPECTED_CUES);
    expect(vtt).toContain('&lt;font color="red" size="80"&gt;red&lt;/font&gt;');
    expect(vtt).toContain('can <i>do</i>');

    const file = join(dir, 'hostile.vtt');
    await writeFile(file, vtt);
    await assertDecodesCleanly(file);
  });

  it('ASS: one Dialogue per cue, braces escaped, no command but the basic tags', () => {
    const { texts, overrides } = dialogues(toAss(hostile));
    expect(texts).toHaveLength(EXPECTED_CUES);
    expect(new Set(overrides)).toEqual(new Set(['{\\i1}', '{\\i0}']));
    expect(texts[1]).toContain('\\{\u2060\\\u2060pos(0,0)\\}\u2060');
    // Outside the basic tags, every backslash is followed by a word joiner or escapes a brace.
    const literal = texts.map((text) => text.replace(/\{\\[ibu][01]\}/g, '').replace(/\\N/g, ''));
    expect(literal.join('')).not.toMatch(/\\(?![\u2060{}])/);
    // `-->` means nothing in ASS: the text stays one event, its lines joined by \N.
    expect(texts[0]!.split('\\N')).toEqual(['Hello', '3', '00:00:20,000 --> 00:00:25,000', 'Injected cue']);
  });

  it.each(['mkv', 'mp4'] as const)('%s: the subtitle track has exactly the written cues and no markup but italics', async (container) => {
    const srt = join(dir, 'track.srt');
    await writeFile(srt, toSrt(hostile));
    const output = join(dir, `hostile.${container}`);
    await muxSubtitles({ video: JFK, tracks: [{ path: srt, language: getLanguage('es') }], output, container });
    expect(await packetCount(output)).toBe(EXPECTED_CUES);
    const track = await ffmpegTo('srt', output, ['-map', '0:s:0']);
    expect(relativeTimes(parseSrt(track))).toEqual(relativeTimes(hostile.slice(0, EXPECTED_CUES)));
    expect(track).not.toMatch(/<font|\{\\|\\N|\\h/);
    if (container === 'mkv') await assertDecodesCleanly(output);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toAss } from './ass';
import { buildBurnInArgs, burnSubtitles, escapeFilterValue } from './burn-in';
import { runFfprobeJson } from './process';

const JFK = '/work/shared/samples/jfk.mp4';
let dir: string;

/** One decoded frame as 8-bit grey pixels (320 × 240 for jfk.mp4). */
function greyFrame(file: string, seconds: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-vf', 'format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 24 });
}

/** Mean absolute pixel difference over the bottom third, where subtitles are drawn. */
function bottomDifference(a: Buffer, b: Buffer): number {
  const from = Math.floor((a.length * 2) / 3);
  let sum = 0;
  for (let i = from; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / (a.length - from);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-burn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('escapeFilterValue', () => {
  it('quotes for the option parser, then escapes for the filter-graph parser', () => {
    expect(escapeFilterValue('/tmp/a.ass')).toBe("\\'/tmp/a.ass\\'");
    expect(escapeFilterValue("/tmp/it's:a,b")).toBe("\\'/tmp/it\\'\\\\\\'\\'s:a\\,b\\'");
  });

  it('builds an argument list that re-encodes the picture and writes no subtitle stream', () => {
    const args = buildBurnInArgs({ video: 'in.mp4', assPath: '/tmp/x.ass' }, 'out.mp4', 'aac');
    expect(args.join(' ')).toContain('-c:v libx264');
    expect(args.join(' ')).toContain('-c:a copy');
    expect(args).toContain('-sn');
    expect(buildBurnInArgs({ video: 'in.wav', assPath: '/x.ass' }, 'o.mp4', 'pcm_s16le').join(' ')).toContain('-c:a aac');
  });
});

describe('burnSubtitles', () => {
  it('draws the cues into the picture (from an awkwardly named folder) and keeps the sound', async () => {
    // Quotes, colons, commas, brackets and semicolons all mean something to the filter parser.
    const awkward = join(dir, "it's: a [weird], dir; name");
    await mkdir(awkward);
    const assPath = join(awkward, 'jfk.es.ass');
    await writeFile(assPath, toAss([{ start: 1, end: 4, text: 'Y así, mis compatriotas,\nno pregunten' }], { width: 320, height: 240, language: 'es' }));
    const output = join(dir, 'jfk.es.burned.mp4');
    const percents: number[] = [];
    await burnSubtitles({ video: JFK, assPath, output, onProgress: (percent) => percents.push(percent) });

    type Probed = { streams: { codec_type: string; codec_name: string }[] };
    const { streams } = await runFfprobeJson<Probed>(['-show_streams', output]);
    expect(streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`)).toEqual(['video:h264', 'audio:aac']);
    expect(percents.at(-1)).toBe(100);

    // While the cue shows, the bottom of the picture differs a lot; before it, only by re-encoding noise.
    expect(bottomDifference(greyFrame(output, 2.5), greyFrame(JFK, 2.5))).toBeGreaterThan(3);
    expect(bottomDifference(greyFrame(output, 0.4), greyFrame(JFK, 0.4))).toBeLessThan(1.5);
  });

  it('refuses an input with no picture', async () => {
    const assPath = join(dir, 'none.ass');
    await writeFile(assPath, toAss([]));
    await expect(burnSubtitles({ video: '/work/shared/samples/jfk.wav', assPath, output: join(dir, 'x.mp4') })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

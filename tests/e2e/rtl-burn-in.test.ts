import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';
import { downloadTo, startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * Issue 12 §4 "right-to-left text renders correctly in burn-in": Hebrew and Arabic subtitles
 * burned into a video by the real pipeline (API, worker process, the llm engine against the
 * scripted chat server for the translation, libass for the pixels). The frame the job wrote is
 * compared with three renderings the test makes itself of the same line, at the job's size and
 * place: in the script's font with explicit right-to-left embedding (what it must look like),
 * with a left-to-right override (the glyphs in memory order, as a renderer without bidi draws
 * them), and with no font for the script (tofu). It must match the first, not the others.
 */

const WIDTH = 1280;
const HEIGHT = 720;
const SOURCE = 'Hello everyone.';
const cases = [
  { language: 'he', font: 'Noto Sans Hebrew', text: 'שלום לכולם.' },
  { language: 'ar', font: 'Noto Sans Arabic', text: 'مرحبا بكم جميعا.' },
] as const;

/** U+202B RLE … U+202C PDF: the line as a right-to-left paragraph; U+202D LRO forces memory order. */
const RLE = '\u202B';
const LRO = '\u202D';
const PDF = '\u202C';

type Frame = Buffer;

/** The grey frame at 2 s (inside the cue) of a video, optionally drawing an ASS file over it first. */
function frameAt2s(video: string, ass?: { file: string; env?: NodeJS.ProcessEnv }): Frame {
  const filter = ass ? ['-vf', `ass=filename=${ass.file}`] : [];
  return execFileSync('ffmpeg', ['-v', 'error', '-i', video, ...filter, '-ss', '2', '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], {
    maxBuffer: 1 << 24,
    env: ass?.env ?? process.env,
  });
}

/** Text pixels: the video is black, the subtitle white with a dark outline. */
const ink = (frame: Frame) => frame.map((value) => (value >= 128 ? 1 : 0));
const count = (mask: Uint8Array) => mask.reduce((sum, bit) => sum + bit, 0);

/** Pixels inked in one frame but not the other, over those inked in either: 0 = the same text, 1 = nothing in common. */
function difference(a: Frame, b: Frame): number {
  const [x, y] = [ink(a), ink(b)];
  let either = 0;
  let one = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] || y[i]) either += 1;
    if (x[i] !== y[i]) one += 1;
  }
  return one / either;
}

/** The rows and columns the ink spans. */
function inkBox(frame: Frame) {
  let [top, bottom, left, right] = [HEIGHT, -1, WIDTH, -1];
  frame.forEach((value, i) => {
    if (value < 128) return;
    const [row, column] = [Math.floor(i / WIDTH), i % WIDTH];
    [top, bottom, left, right] = [Math.min(top, row), Math.max(bottom, row), Math.min(left, column), Math.max(right, column)];
  });
  return { top, bottom, left, right };
}

describe('right-to-left subtitles burned in by the real pipeline (he, ar)', () => {
  let chat: ChatServerProcess;
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-rtl-burn-'));
  const video = path.join(scratch, 'talk.mp4');
  const srt = path.join(scratch, 'talk.en.srt');
  // A fontconfig that knows one Latin-only font: what a worker image without Noto's Hebrew and
  // Arabic fonts (and so without any fallback for them) draws.
  const tofuEnv = (() => {
    const fonts = path.join(scratch, 'latin-only');
    fs.mkdirSync(fonts);
    fs.copyFileSync('/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', path.join(fonts, 'NotoSans-Regular.ttf'));
    const config = path.join(scratch, 'fonts.conf');
    fs.writeFileSync(config, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${fonts}</dir><cachedir>${path.join(scratch, 'fc-cache')}</cachedir></fontconfig>\n`);
    return { ...process.env, FONTCONFIG_FILE: config };
  })();

  beforeAll(async () => {
    // 4 s of black 720p with a silent track; the English line is imported (no transcription).
    execFileSync('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `color=c=black:s=${WIDTH}x${HEIGHT}:r=25:d=4`,
      '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono',
      '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', video,
    ]);
    fs.writeFileSync(srt, `1\n00:00:00,500 --> 00:00:03,500\n${SOURCE}\n`);
    chat = await startChatServer({ prefix: '[untranslated] ' });
    stack = await startStack({ database: 'sqlite', env: { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'e2e-model', LLM_API_KEY: 'e2e-key', LLM_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await chat?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it.each(cases)('$language: the burned frame is the line drawn right to left in $font', async ({ language, font, text }) => {
    await chat.setScript({ fallback: { kind: 'dictionary', translations: { [SOURCE]: text } } });
    const submitted = await stack.http().post('/v1/jobs').field('to', language).field('from', 'en').field('engine', 'llm').field('burnIn', 'true').attach('file', video).attach('subtitles', srt);
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    expect(await watch.finished).toMatchObject({ status: 'completed' });
    watch.close();

    type Output = { kind: string; language: string | null; name: string; url: string };
    const outputs: Output[] = (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const output = (kind: string) => outputs.find((candidate) => candidate.kind === kind && candidate.language === language)!;
    expect(fs.readFileSync(await downloadTo(stack, output('srt').url, scratch, `${language}.srt`), 'utf8')).toContain(text);
    const jobAss = fs.readFileSync(await downloadTo(stack, output('ass').url, scratch, `${language}.job.ass`), 'utf8');
    const burned = await downloadTo(stack, output('burned').url, scratch, output('burned').name);
    expect(output('burned').name).toBe(`talk.${language}.burned.mp4`);

    // The job's ASS gives the geometry (play resolution, size, margins, outline); font, text and
    // direction are the test's own, so a wrong font or a missing embedding in the job shows.
    const dialogues = jobAss.split('\n').filter((line) => line.startsWith('Dialogue:'));
    expect(dialogues).toHaveLength(1);
    const reference = (line: string) => {
      const styled = jobAss.replace(/^(Style: Default,)[^,]*,/m, `$1${font},`);
      const prefix = dialogues[0]!.split(',').slice(0, 9).join(',');
      const file = path.join(scratch, `${language}.${Buffer.from(line).toString('hex').slice(0, 12)}.ass`);
      fs.writeFileSync(file, styled.replace(dialogues[0]!, `${prefix},${line}`), 'utf8');
      return file;
    };
    const rightToLeft = reference(`${RLE}${text}${PDF}`);
    const memoryOrder = reference(`${LRO}${text}${PDF}`);

    const frame = frameAt2s(burned);
    const expected = frameAt2s(video, { file: rightToLeft });
    const reversed = frameAt2s(video, { file: memoryOrder });
    const tofu = frameAt2s(video, { file: rightToLeft, env: tofuEnv });
    const blank = frameAt2s(video);

    const box = inkBox(frame);
    const measured = {
      inkPixels: count(ink(frame)),
      box,
      vsRightToLeft: difference(frame, expected),
      vsMemoryOrder: difference(frame, reversed),
      vsTofu: difference(frame, tofu),
    };
    console.log(`${language} burn-in: ${JSON.stringify(measured)}`);

    // Text was drawn, as one line low in the picture, over a frame that had none.
    expect(count(ink(blank))).toBe(0);
    expect(measured.inkPixels).toBeGreaterThan(300);
    expect(box.top).toBeGreaterThan(HEIGHT / 2);
    // The references differ from each other, so matching one is a real answer; the font-less
    // one does draw (boxes), it is not an empty frame.
    expect(count(ink(tofu))).toBeGreaterThan(300);
    expect(difference(expected, reversed)).toBeGreaterThan(0.3);
    expect(difference(expected, tofu)).toBeGreaterThan(0.3);
    // The job's frame is the right-to-left line (up to H.264's edges), neither of the others.
    expect(measured.vsRightToLeft).toBeLessThan(0.15);
    expect(measured.vsMemoryOrder).toBeGreaterThan(0.3);
    expect(measured.vsTofu).toBeGreaterThan(0.3);
  });
});

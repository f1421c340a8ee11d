import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { QualityReport, Segment } from '@babelfish/core';
import { decodeMono, EspeakTtsEngine, parseSrt, renderDubTrack, soundSpan } from '@babelfish/media';
import { ApertiumEngine } from '@babelfish/ml';
import { protectTerms, restoreTerms } from '@babelfish/subtitles';
import { ffprobeStreams } from '../support/media';
import { sample } from '../support/paths';
import { startStack, type Stack, downloadTo } from '../support/stack';
import { watchJob } from '../support/socket';

type OutputView = { id: string; kind: string; language: string | null; name: string; url: string };
type Watch = Awaited<ReturnType<typeof watchJob>>;

/**
 * The broadcast rules, checked here independently of the service's own quality checker;
 * English reads at up to 20 characters/s, the other languages here at 17.
 */
function ruleViolations(cues: Segment[], maxCps = 17): string[] {
  const problems: string[] = [];
  cues.forEach((cue, i) => {
    const lines = cue.text.split('\n');
    const seconds = cue.end - cue.start;
    const chars = cue.text.replace(/\n/g, ' ').length;
    if (!cue.text.trim()) problems.push(`${i + 1}: empty`);
    if (lines.length > 2) problems.push(`${i + 1}: ${lines.length} lines`);
    for (const line of lines) if ([...line].length > 42) problems.push(`${i + 1}: line of ${[...line].length} characters`);
    if (chars / seconds > maxCps + 0.001) problems.push(`${i + 1}: ${(chars / seconds).toFixed(1)} characters/s`);
    if (seconds < 0.999 || seconds > 7.001) problems.push(`${i + 1}: ${seconds.toFixed(3)} s on screen`);
    const previous = cues[i - 1];
    if (previous && cue.start - previous.end < 0.0825) problems.push(`${i + 1}: ${(cue.start - previous.end).toFixed(3)} s after the previous cue`);
  });
  return problems;
}

function greyFrame(file: string, seconds: number): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-vf', 'format=gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 24 });
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('subtitle quality, glossary, burn-in and dubbing on the real stack', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-subtitle-quality-'));
  const jobs: Record<'jfk' | 'everest', { id: string; watch: Watch }> = {} as never;

  const download = (url: string, name: string) => downloadTo(stack, url, scratch, name);
  const outputsOf = async (jobId: string): Promise<{ outputs: OutputView[]; quality: QualityReport }> => (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body;
  const submit = async (file: string, fields: Record<string, string>) => {
    let request = stack.http().post('/v1/jobs');
    for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
    const response = await request.attach('file', file);
    expect(response.status).toBe(202);
    const id: string = response.body.job.id;
    return { id, watch: await watchJob(stack.api.url, id, { apiKey: stack.apiKey }), job: response.body.job };
  };

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
    // Both jobs run at once: while one is transcribed, the other is translated or muxed.
    const jfk = await submit(sample('jfk.mp4'), {
      to: 'es',
      from: 'en',
      glossary: JSON.stringify({ terms: { country: 'nación' }, doNotTranslate: ['Americans'] }),
      burnIn: 'true',
    });
    expect(jfk.job.options).toEqual({ burnIn: true, glossary: { terms: { country: 'nación' }, byLanguage: {}, doNotTranslate: ['Americans'] } });
    const everest = await submit(sample('es_everest.mp4'), { to: 'en', from: 'es', dub: 'true' });
    jobs.jfk = jfk;
    jobs.everest = everest;
  });
  afterAll(async () => {
    for (const job of Object.values(jobs)) job.watch.close();
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('Apertium passes glossary placeholders through in both directions', async () => {
    const apertium = new ApertiumEngine();
    for (const [from, to, text, entries, expected] of [
      ['en', 'es', 'Ask what you can do for your country.', [{ source: 'country', target: 'patria' }], /patria/],
      ['es', 'en', 'Sé que puedo escalar el Everest sin oxígeno.', [{ source: 'oxígeno', target: 'O2' }, { source: 'Everest', target: 'Chomolungma' }], /Chomolungma without O2/],
    ] as const) {
      const protectedText = protectTerms(text, entries);
      const [translated] = await apertium.translate({ segments: [{ start: 0, end: 1, text: protectedText.text }], from, to });
      const restored = restoreTerms(translated!.text, protectedText);
      expect(restored.missing).toEqual([]);
      expect(restored.text).toMatch(expected);
    }
  });

  it('rejects bad options with 400s before doing any work', async () => {
    const bad = async (fields: Record<string, string>, file = sample('jfk.mp4')) => {
      let request = stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en');
      for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
      return request.attach('file', file);
    };
    expect((await bad({ glossary: '{"terms": ' })).body.error.message).toMatch(/glossary: it is not valid JSON/);
    expect((await bad({ glossary: JSON.stringify({ terms: { x: 'y'.repeat(300) } }) })).body.error.message).toMatch(/longer than 200/);
    expect((await bad({ subtitleRules: '{"maxCharsPerLine": 500}' })).body.error.message).toMatch(/maxCharsPerLine must be a number from 16 to 80/);
    expect((await bad({ burnIn: 'maybe' })).status).toBe(400);
    const audioOnly = await bad({ burnIn: 'true' }, sample('jfk.wav'));
    expect(audioOnly.status).toBe(400);
    expect(audioOnly.body.error.message).toMatch(/burnIn needs a video track/);
  });

  it('jfk.mp4 → Spanish: every SRT meets the rules, the glossary is honoured, ASS and burned-in outputs exist', async () => {
    const last = await jobs.jfk.watch.finished;
    expect(last).toMatchObject({ status: 'completed' });
    expect(jobs.jfk.watch.events.some((event) => event.message === 'Burning in subtitles')).toBe(true);
    const { outputs, quality } = await outputsOf(jobs.jfk.id);
    expect(outputs.map((output) => output.name).sort()).toEqual([
      'jfk.en.ass', 'jfk.en.srt', 'jfk.en.vtt', 'jfk.es.ass', 'jfk.es.burned.mp4', 'jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mkv', 'jfk.subtitled.mp4',
    ]);
    const srt = (language: string) => download(outputs.find((output) => output.kind === 'srt' && output.language === language)!.url, `jfk.${language}.srt`);
    const spanish = parseSrt(fs.readFileSync(await srt('es'), 'utf8'));
    const english = parseSrt(fs.readFileSync(await srt('en'), 'utf8'));
    for (const [cues, maxCps] of [[spanish, 17], [english, 20]] as const) {
      expect(cues.length).toBeGreaterThan(1);
      expect(ruleViolations(cues, maxCps)).toEqual([]);
    }
    const spanishText = spanish.map((cue) => cue.text).join(' ');
    expect(spanishText).toMatch(/nación/);
    expect(spanishText).not.toMatch(/país/);
    expect(spanishText).toMatch(/Americans/);

    // The service's own checks agree, and the same report is served on its own route.
    expect(quality.tracks.map((track) => [track.language, track.kind])).toEqual([['es', 'translation'], ['en', 'source']]);
    for (const track of quality.tracks) expect(Object.values(track.counts).every((count) => count === 0)).toBe(true);
    expect(quality.warnings).toEqual([]);
    expect((await stack.http().get(`/v1/jobs/${jobs.jfk.id}/quality`)).body.quality).toEqual(quality);

    const ass = fs.readFileSync(await download(outputs.find((output) => output.kind === 'ass' && output.language === 'es')!.url, 'jfk.es.ass'), 'utf8');
    expect(ass).toMatch(/^Style: Default,Noto Sans,/m);
    expect(ass.match(/^Dialogue:/gm)).toHaveLength(spanish.length);

    const burned = await download(outputs.find((output) => output.kind === 'burned')!.url, 'jfk.es.burned.mp4');
    const streams = ffprobeStreams(burned);
    expect(streams.map((stream) => stream.codec_type)).toEqual(['video', 'audio']);
    const during = (spanish[0]!.start + spanish[0]!.end) / 2;
    expect(meanDifference(greyFrame(burned, during), greyFrame(sample('jfk.mp4'), during))).toBeGreaterThan(1);
    const before = spanish[0]!.start / 2; // no cue yet: only re-encoding noise
    expect(meanDifference(greyFrame(burned, before), greyFrame(sample('jfk.mp4'), before))).toBeLessThan(0.5);
  });

  it('es_everest.mp4 → English dubbed: original audio first, English track tagged, speech inside its cues and understood by Whisper', async () => {
    expect(await jobs.everest.watch.finished).toMatchObject({ status: 'completed' });
    const { outputs, quality } = await outputsOf(jobs.everest.id);
    expect(outputs.map((output) => output.name).sort()).toEqual([
      'es_everest.dubbed.mp4', 'es_everest.en.ass', 'es_everest.en.srt', 'es_everest.en.vtt', 'es_everest.es.ass', 'es_everest.es.srt', 'es_everest.es.vtt',
      'es_everest.subtitled.mkv', 'es_everest.subtitled.mp4',
    ]);
    for (const track of quality.tracks) expect(track.counts).toEqual({ empty: 0, lineLength: 0, lineCount: 0, cps: 0, duration: 0, gap: 0, overlap: 0 });
    const englishCues = parseSrt(fs.readFileSync(await download(outputs.find((output) => output.kind === 'srt' && output.language === 'en')!.url, 'en.srt'), 'utf8'));
    const spanishCues = parseSrt(fs.readFileSync(await download(outputs.find((output) => output.kind === 'srt' && output.language === 'es')!.url, 'es.srt'), 'utf8'));
    expect(ruleViolations(englishCues, 20)).toEqual([]);
    expect(ruleViolations(spanishCues)).toEqual([]);

    const dubbed = await download(outputs.find((output) => output.kind === 'dubbed')!.url, 'es_everest.dubbed.mp4');
    const audio = ffprobeStreams(dubbed).filter((stream) => stream.codec_type === 'audio');
    expect(audio.map((stream) => stream.tags?.language)).toEqual(['spa', 'eng']);

    // The worker's speech track for these cues, rebuilt with the same engine: every cue's speech
    // starts within 200 ms of the cue and is over before the next one.
    const speech = path.join(scratch, 'speech.wav');
    await renderDubTrack({ cues: englishCues, language: 'en', engine: new EspeakTtsEngine(), output: speech, durationSeconds: 37.7, workDir: scratch });
    const samples = await decodeMono(speech, 16_000);
    englishCues.forEach((cue, i) => {
      const next = englishCues[i + 1]?.start ?? 37.7;
      const span = soundSpan(samples, 16_000, { from: (englishCues[i - 1]?.end ?? 0) + 0.01, to: next - 0.01, thresholdDb: -35 });
      expect(Math.abs(span!.start - cue.start)).toBeLessThanOrEqual(0.2);
      expect(span!.end).toBeLessThanOrEqual(next);
    });

    // Whisper, given the dubbed English track as a new job, hears the key words.
    const track = path.join(scratch, 'dubbed-english.wav');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', dubbed, '-map', '0:a:1', '-ac', '1', '-ar', '16000', track]);
    const heard = await submit(track, { to: 'es', from: 'en' });
    expect(await heard.watch.finished).toMatchObject({ status: 'completed' });
    heard.watch.close();
    const tracks: { language: string; segments: Segment[] }[] = (await stack.http().get(`/v1/jobs/${heard.id}/subtitles`)).body.tracks;
    const transcript = tracks.find((entry) => entry.language === 'en')!.segments.map((segment) => segment.text).join(' ');
    expect(transcript).toMatch(/Everest/i);
    expect(transcript).toMatch(/oxygen/i);
  });
});

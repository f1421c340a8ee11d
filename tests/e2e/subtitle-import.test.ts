import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import type { ProgressEvent, Segment } from '@babelfish/core';
import { parseSrt } from '@babelfish/media';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { downloadTo, startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

type Output = { kind: string; language: string | null; name: string; url: string };
type Track = { language: string; kind: string; origin: string; segments: Segment[] };

/**
 * Issue 12 §4: subtitle import on the real stack (SQLite, worker process, Apertium eng-spa,
 * ffmpeg). A subtitle file next to a video replaces the transcription; a subtitle file alone is
 * translated and re-cut into subtitle files; bad files are refused at submission.
 */

// Sentences JFK never says, so a word of them in an output can only come from the file.
const MARKER_SRT = '1\n00:00:00,500 --> 00:00:03,000\nMy friend eats a red apple.\n\n2\n00:00:04,000 --> 00:00:07,500\nThe zebra walks to the house.\n';
const ALONE_VTT = [
  'WEBVTT',
  'Kind: captions',
  'Language: en',
  '',
  'NOTE cut in the middle of the sentence on purpose',
  '',
  'one',
  '00:00:01.000 --> 00:00:02.000 align:start position:10%',
  '<v Narrator>The cat sleeps on',
  '',
  '00:00:02.000 --> 00:00:04.500',
  'the big red sofa every afternoon because it is warm.',
  '',
].join('\n');
const TAGGED_ASS = [
  '[Script Info]',
  'ScriptType: v4.00+',
  '',
  '[V4+ Styles]',
  'Format: Name, Fontname, Fontsize',
  'Style: Default,Arial,48',
  '',
  '[Events]',
  'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  'Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,{\\an8\\pos(960,50)\\c&H00FFFF&}My friend eats{\\i1} a red apple.{\\i0}',
  'Dialogue: 0,0:00:04.00,0:00:06.00,Default,,0,0,0,,{\\fad(200,200)}The dog runs\\Nin the park.',
].join('\n');

const plain = (cues: readonly Segment[]) => cues.map((cue) => cue.text).join(' ').replace(/\s+/g, ' ').trim();
const longestLine = (cues: readonly Segment[]) => Math.max(...cues.flatMap((cue) => cue.text.split('\n').map((line) => line.length)));

describe('subtitle import on the real stack', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-subtitle-import-'));
  const api = (key?: string) => stack.http(key);
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, data);
    return file;
  };
  const storedJobs = () => (fs.existsSync(path.join(stack.config.storage.dir, 'jobs')) ? fs.readdirSync(path.join(stack.config.storage.dir, 'jobs')).sort() : []);

  /** Sends a file by the resumable protocol in one chunk; returns the finished upload's id. */
  async function uploadFile(file: string): Promise<string> {
    const body = fs.readFileSync(file);
    const upload = (await api().post('/v1/uploads').send({ name: path.basename(file), size: body.length })).body.upload;
    const sent = await api().patch(`/v1/uploads/${upload.id}`).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(body);
    if (sent.status !== 200) throw new Error(`PATCH answered ${sent.status}: ${sent.text}`);
    return upload.id as string;
  }

  /** Waits for a submitted job to complete; returns its events (those after subscribing), outputs and tracks. */
  async function finish(jobId: string) {
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    // A job that ended before the subscription sends no more events.
    if (!['completed', 'failed'].includes(watch.snapshot.job?.status ?? '')) await watch.finished;
    watch.close();
    const job = (await api().get(`/v1/jobs/${jobId}`)).body.job;
    if (job.status !== 'completed') throw new Error(`job ${jobId} ended ${job.status}: ${job.error}`);
    const outputs: Output[] = (await api().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const tracks: Track[] = (await api().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks;
    const srt = async (language: string) => parseSrt(fs.readFileSync(await downloadTo(stack, outputs.find((o) => o.kind === 'srt' && o.language === language)!.url, scratch, `${jobId}.${language}.srt`), 'utf8'));
    return { events: watch.events as ProgressEvent[], outputs, tracks, srt };
  }

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', env: { SUBTITLE_MAX_CUES: '200', SUBTITLE_IMPORT_MAX_BYTES: '65536', APERTIUM_PAIRS: 'eng-spa fr-es' } });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('jfk.mp4 with an SRT: the cues are translated instead of a transcription, and the MKV carries the es track', async () => {
    const submitted = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4')).attach('subtitles', write('mine.srt', MARKER_SRT));
    expect(submitted.status).toBe(202);
    expect(submitted.body.job.options.importedSubtitles).toEqual({ format: 'srt', cues: 2 });
    const jobId: string = submitted.body.job.id;
    const { events, outputs, tracks, srt } = await finish(jobId);

    // The source track is the file's, not Whisper's: same text, origin import, no transcribing step.
    const english = tracks.find((track) => track.language === 'en')!;
    expect(english).toMatchObject({ kind: 'source', origin: 'import' });
    expect(plain(english.segments)).toBe('My friend eats a red apple. The zebra walks to the house.');
    expect(events.filter((event) => /Transcrib/i.test(event.message ?? ''))).toEqual([]);
    const spanish = await srt('es');
    console.log(`video + SRT: 2 imported cues → ${spanish.length} es cues: ${JSON.stringify(plain(spanish))}; ${events.length} events seen`);
    expect(plain(spanish)).toMatch(/manzana/);
    expect(plain(spanish)).toMatch(/cebra/);
    expect(plain(spanish)).not.toMatch(/país|pregunta/i); // "ask not what your country…"
    expect(spanish.every((cue) => cue.start >= 0.5 && cue.end <= 11.64)).toBe(true);

    expect(outputs.map((output) => output.kind).sort()).toEqual(['ass', 'ass', 'mkv', 'mp4', 'srt', 'srt', 'vtt', 'vtt']);
    const mkv = await downloadTo(stack, outputs.find((output) => output.kind === 'mkv')!.url, scratch, 'import.mkv');
    const streams = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:stream_tags=language', '-of', 'json', mkv], { encoding: 'utf8' })).streams;
    expect(streams).toEqual(expect.arrayContaining([{ codec_type: 'subtitle', tags: { language: 'spa' } }, expect.objectContaining({ codec_type: 'audio' })]));
    const muxedTrack = execFileSync('ffmpeg', ['-v', 'error', '-i', mkv, '-map', '0:s:0', '-f', 'srt', '-'], { encoding: 'utf8' });
    expect(muxedTrack).toMatch(/cebra/);
  });

  it('jfk.mp4 and an SRT as resumable uploads, no source language: Whisper only detects the spoken language', async () => {
    const [video, subtitles] = [await uploadFile(sample('jfk.mp4')), await uploadFile(write('undetected.srt', MARKER_SRT))];
    const submitted = await api().post('/v1/jobs').send({ uploadId: video, subtitlesUploadId: subtitles, to: 'es' });
    expect(submitted.status).toBe(202);
    expect(submitted.body.job.options.importedSubtitles).toEqual({ format: 'srt', cues: 2 });
    expect(submitted.body.job.sourceLanguage).toBeNull();
    const { tracks, srt } = await finish(submitted.body.job.id);
    const job = (await api().get(`/v1/jobs/${submitted.body.job.id}`)).body.job;
    expect(job).toMatchObject({ sourceLanguage: 'en', detectedLanguage: 'en' });
    expect(tracks.find((track) => track.language === 'en')).toMatchObject({ origin: 'import' });
    expect(plain(await srt('es'))).toMatch(/cebra/);
  });

  it('a WebVTT alone (its language from its header): es and en subtitle files only, re-cut to the rules, no video', async () => {
    const submitted = await api().post('/v1/jobs').field('to', 'es').attach('file', write('talk.vtt', ALONE_VTT));
    expect(submitted.status).toBe(202);
    expect(submitted.body.job).toMatchObject({ sourceLanguage: 'en', thumbnailUrl: null, options: { importedSubtitles: { format: 'vtt', cues: 2, withoutMedia: true } } });
    const jobId: string = submitted.body.job.id;
    const { outputs, srt } = await finish(jobId);

    expect(outputs.map((output) => `${output.language}.${output.kind}`).sort()).toEqual(['en.ass', 'en.srt', 'en.vtt', 'es.ass', 'es.srt', 'es.vtt']);
    const [english, spanish] = [await srt('en'), await srt('es')];
    console.log(`VTT alone: 2 imported cues → en ${JSON.stringify(english.map((cue) => cue.text))}, es ${JSON.stringify(spanish.map((cue) => cue.text))}`);
    // The sentence the file cut after "on" is one sentence again, laid out by the rules (42 a line).
    expect(plain(english)).toBe('The cat sleeps on the big red sofa every afternoon because it is warm.');
    expect(english.some((cue) => cue.text.replace(/\n/g, ' ') === 'The cat sleeps on')).toBe(false);
    expect(plain(spanish)).toMatch(/sofá rojo/);
    expect(Math.max(longestLine(english), longestLine(spanish))).toBeLessThanOrEqual(42);
    expect((await api().get(`/v1/jobs/${jobId}/video`)).status).toBe(404);
    expect((await api().get(`/v1/jobs/${jobId}/thumbnail`)).status).toBe(404);
  });

  it('an ASS alone, sent as a resumable upload: override tags and \\N never reach the text', async () => {
    const submitted = await api().post('/v1/jobs').send({ uploadId: await uploadFile(write('styled.ass', TAGGED_ASS)), to: ['es'], from: 'en' });
    expect(submitted.status).toBe(202);
    const { outputs, tracks, srt } = await finish(submitted.body.job.id);

    expect(tracks.find((track) => track.language === 'en')!.segments.map((cue) => cue.text)).toEqual(['My friend eats a red apple.', 'The dog runs\nin the park.']);
    const spanish = await srt('es');
    console.log(`ASS alone: es ${JSON.stringify(spanish.map((cue) => cue.text))}`);
    expect(plain(spanish)).toMatch(/manzana/);
    const assOut = fs.readFileSync(await downloadTo(stack, outputs.find((o) => o.kind === 'ass' && o.language === 'es')!.url, scratch, 'es.ass'), 'utf8');
    const dialogue = assOut.split('\n').filter((line) => line.startsWith('Dialogue:')).join('\n');
    // Our writer adds its own \\N line breaks; nothing of the file's overrides is left.
    expect(dialogue).not.toMatch(/\\pos|\\an8|\\fad|\\c&H|\\i1/);
    expect(plain(spanish)).not.toMatch(/[{}\\]/);
  });

  it('refuses hostile and invalid subtitle files at submission (4xx, a reason), storing nothing', async () => {
    const mallory = await stack.createApiKey('mallory');
    const before = storedJobs();
    const withVideo = (file: string, fields: Record<string, string> = {}) => {
      let request = api(mallory).post('/v1/jobs');
      for (const [name, value] of Object.entries({ to: 'es', from: 'en', ...fields })) request = request.field(name, value);
      return request.attach('file', sample('jfk.mp4')).attach('subtitles', file);
    };
    const alone = (file: string, from?: string) => {
      const request = api(mallory).post('/v1/jobs').field('to', 'es');
      return (from ? request.field('from', from) : request).attach('file', file);
    };
    const manyCues = Array.from({ length: 201 }, (_, i) => `${i + 1}\n00:00:${String(i % 60).padStart(2, '0')},000 --> 00:00:${String(i % 60).padStart(2, '0')},500\nc${i}\n`).join('\n');
    const cases: [string, Promise<{ status: number; body: { error: { code: string; message: string } } }>, number, RegExp][] = [
      ['binary', withVideo(write('noise.srt', Buffer.from([0, 1, 2, 3, 0xff, 0xd8, 0, 0, 9, 8]))), 415, /not text/],
      ['a playlist named .srt', withVideo(write('list.srt', `#EXTM3U\n#EXTINF:1,\n${sample('jfk.mp4')}\n`)), 415, /not SRT, WebVTT or ASS/],
      ['an SRT without a cue of text', withVideo(write('empty.srt', '1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\n<i></i>\n')), 400, /no cue with a valid time and some text/],
      ['an empty file', withVideo(write('zero.srt', '')), 400, /empty/],
      ['201 cues', withVideo(write('many.srt', manyCues)), 413, /201 cues; the limit is 200/],
      ['a file over SUBTITLE_IMPORT_MAX_BYTES', withVideo(write('big.srt', `1\n00:00:01,000 --> 00:00:02,000\n${'x'.repeat(70_000)}\n`)), 413, /the limit is 65536/],
      ['cues after the end of the video', withVideo(write('late.srt', '1\n01:00:00,000 --> 01:00:02,000\nToo late\n')), 400, /No cue of the subtitle file starts within the video's 12 s/],
      // es → en is a pair Whisper translates, from speech: imported subtitles have none to give it.
      ['the whisper engine', withVideo(write('ok.srt', MARKER_SRT), { engine: 'whisper', from: 'es', to: 'en' }), 400, /whisper engine translates the speech/],
      ['the whisper engine into another language than English', withVideo(write('ok2.srt', MARKER_SRT), { engine: 'whisper' }), 422, /whisper engine cannot translate en → es/],
      ['a subtitle file as the video', api(mallory).post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', write('a.srt', MARKER_SRT)).attach('subtitles', write('b.srt', MARKER_SRT)), 415, /subtitle files are accepted alone or next to a video/],
      ['a file alone without its language', alone(write('nolang.srt', MARKER_SRT)), 400, /Give the subtitles' language as from/],
      ['burn-in without a video', api(mallory).post('/v1/jobs').field('to', 'es').field('from', 'en').field('burnIn', 'true').attach('file', write('burn.srt', MARKER_SRT)), 400, /need a video/],
      ['a video as "subtitles" alone', api(mallory).post('/v1/jobs').field('to', 'es').field('from', 'en').attach('subtitles', sample('jfk.mp4')), 415, /The subtitle file is not text/],
      ['plain text alone', alone(write('notes.srt', 'minutes of the meeting\n'.repeat(40)), 'en'), 415, /text files are not accepted/],
    ];
    for (const [name, response, status, reason] of cases) {
      const { status: got, body } = await response;
      expect({ name, status: got, message: body.error?.message }).toEqual({ name, status, message: expect.stringMatching(reason) });
      expect(body.error.message).not.toContain(scratch);
    }
    console.log(`refused ${cases.length} bad submissions: ${cases.map(([name, , status]) => `${name} ${status}`).join(', ')}`);
    expect((await api(mallory).get('/v1/jobs')).body.jobs).toEqual([]);
    expect(storedJobs()).toEqual(before);
  });
});

describe('subtitle import in the CLI (in-process, no Redis)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-subtitle-import-cli-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const translate = (args: string[], out: string) =>
    spawnSync(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=development', 'apps/cli/src/main.ts', 'translate', ...args, '--to', 'es', '--from', 'en', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: path.join(scratch, 'data'), MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', REDIS_URL: 'redis://127.0.0.1:1', APERTIUM_PAIRS: 'eng-spa fr-es' },
      timeout: 150_000,
    });

  it('--subtitles replaces the transcription; a subtitle file alone gives subtitle files only', () => {
    const srt = path.join(scratch, 'mine.srt');
    fs.writeFileSync(srt, MARKER_SRT);
    const withVideo = translate([sample('jfk.mp4'), '--subtitles', srt], path.join(scratch, 'video'));
    expect(withVideo.stderr).not.toMatch(/babelfish: /);
    expect(withVideo.status).toBe(0);
    const videoOutputs = fs.readdirSync(path.join(scratch, 'video')).sort();
    expect(videoOutputs).toEqual(['jfk.en.ass', 'jfk.en.srt', 'jfk.en.vtt', 'jfk.es.ass', 'jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mkv', 'jfk.subtitled.mp4']);
    const spanish = parseSrt(fs.readFileSync(path.join(scratch, 'video', 'jfk.es.srt'), 'utf8'));
    expect(plain(spanish)).toMatch(/cebra/);
    expect(plain(parseSrt(fs.readFileSync(path.join(scratch, 'video', 'jfk.en.srt'), 'utf8')))).toBe('My friend eats a red apple. The zebra walks to the house.');

    const vtt = path.join(scratch, 'talk.vtt');
    fs.writeFileSync(vtt, ALONE_VTT);
    const aloneRun = translate([vtt], path.join(scratch, 'alone'));
    expect(aloneRun.stderr).not.toMatch(/babelfish: /);
    expect(aloneRun.status).toBe(0);
    expect(fs.readdirSync(path.join(scratch, 'alone')).sort()).toEqual(['talk.en.ass', 'talk.en.srt', 'talk.en.vtt', 'talk.es.ass', 'talk.es.srt', 'talk.es.vtt']);
    const aloneSpanish = parseSrt(fs.readFileSync(path.join(scratch, 'alone', 'talk.es.srt'), 'utf8'));
    console.log(`CLI: video + SRT → ${videoOutputs.length} files (es: ${JSON.stringify(plain(spanish))}); VTT alone → es ${JSON.stringify(plain(aloneSpanish))}`);
    expect(plain(aloneSpanish)).toMatch(/sofá/);

    const refused = translate([path.join(scratch, 'mine.srt'), '--subtitles', srt], path.join(scratch, 'refused'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/UNSUPPORTED_MEDIA: .*subtitle files are accepted alone or next to a video/);
  });
});

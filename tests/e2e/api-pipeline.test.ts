import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseSrt } from '@babelfish/media';
import { ffprobeStreams, makeSilentVideo, makeVideoWithSilentAudio } from '../support/media';
import { repoRoot, modelsDir, sample } from '../support/paths';
import { startStack, submitAndWait, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

type OutputView = { id: string; kind: string; language: string | null; name: string; bytes: number; url: string };

async function download(stack: Stack, url: string): Promise<Buffer> {
  const response = await stack.http().get(url).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  expect(response.status).toBe(200);
  return response.body as Buffer;
}

describe('API → queue → worker → outputs, on SQLite (jfk.mp4 → Spanish with Apertium)', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-api-test-'));
  let apiSrt = '';
  let apiOutputNames: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('translates an uploaded video end to end with live, ordered progress', async () => {
    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;
    expect(submitted.body.job).toMatchObject({ status: 'queued', targetLanguages: ['es'], sourceLanguage: 'en', originalName: 'jfk.mp4' });

    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    expect(watch.snapshot.job).toBeDefined();
    const last = await watch.finished;
    watch.close();
    expect(last.status).toBe('completed');
    expect(last.percent).toBe(100);
    // Ordered: the job percent never goes backwards and the stages come in pipeline order.
    const percents = watch.events.map((event) => event.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const stageOrder = ['upload', 'transcribe', 'translate', 'mux'];
    const stages = watch.events.map((event) => stageOrder.indexOf(event.stage));
    expect(stages).toEqual([...stages].sort((a, b) => a - b));
    expect(new Set(watch.events.map((event) => event.stage))).toEqual(new Set(['transcribe', 'translate', 'mux']));

    const status = await stack.http().get(`/v1/jobs/${jobId}`);
    expect(status.body.job).toMatchObject({ status: 'completed', percent: 100, sourceLanguage: 'en', error: null });

    const listed = await stack.http().get(`/v1/jobs/${jobId}/outputs`);
    expect(listed.status).toBe(200);
    const outputs: OutputView[] = listed.body.outputs;
    apiOutputNames = outputs.map((output) => output.name).sort();
    expect(apiOutputNames).toEqual(['jfk.en.ass', 'jfk.en.srt', 'jfk.en.vtt', 'jfk.es.ass', 'jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mkv', 'jfk.subtitled.mp4']);

    const spanishSrt = outputs.find((output) => output.kind === 'srt' && output.language === 'es')!;
    apiSrt = (await download(stack, spanishSrt.url)).toString('utf8');
    expect(apiSrt).toContain('país');
    expect(parseSrt(apiSrt).length).toBeGreaterThan(0);
    const vtt = (await download(stack, outputs.find((output) => output.kind === 'vtt' && output.language === 'es')!.url)).toString('utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);

    for (const kind of ['mp4', 'mkv']) {
      const video = outputs.find((output) => output.kind === kind)!;
      const file = path.join(scratch, video.name);
      fs.writeFileSync(file, await download(stack, video.url));
      const streams = ffprobeStreams(file);
      const subtitle = streams.find((stream) => stream.codec_type === 'subtitle');
      expect(subtitle?.tags?.language).toBe('spa');
      expect(subtitle?.codec_name).toBe(kind === 'mp4' ? 'mov_text' : 'subrip');
      expect(streams.find((stream) => stream.codec_type === 'video')?.codec_name).toBe('h264');
      expect(streams.find((stream) => stream.codec_type === 'audio')?.codec_name).toBe('aac');
    }
  });

  it('produces the same files through the CLI, in-process without Redis', () => {
    const outDir = path.join(scratch, 'cli-out');
    const stdout = execFileSync(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['--conditions=development', 'apps/cli/src/main.ts', 'translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--out', outDir],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, DATA_DIR: path.join(scratch, 'cli-data'), MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', REDIS_URL: 'redis://127.0.0.1:1' },
        timeout: 170_000,
      },
    );
    expect(stdout).toContain(outDir);
    expect(fs.readdirSync(outDir).sort()).toEqual(apiOutputNames);
    expect(fs.readFileSync(path.join(outDir, 'jfk.es.srt'), 'utf8')).toBe(apiSrt);
    const subtitle = ffprobeStreams(path.join(outDir, 'jfk.subtitled.mkv')).find((stream) => stream.codec_type === 'subtitle');
    expect(subtitle?.tags?.language).toBe('spa');
  });

  describe('bad input gets a clear error and the server keeps serving', () => {
    it('rejects a text file renamed to .mp4, by content', async () => {
      const file = path.join(scratch, 'notes.mp4');
      fs.writeFileSync(file, 'this is not a video, just text\n'.repeat(50));
      const response = await stack.http().post('/v1/jobs').field('to', 'es').attach('file', file);
      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA');
      expect(response.body.error.message).toMatch(/not a readable video or audio file/);
    });

    it('rejects an empty file', async () => {
      const file = path.join(scratch, 'empty.mp4');
      fs.writeFileSync(file, '');
      const response = await stack.http().post('/v1/jobs').field('to', 'es').attach('file', file);
      expect(response.status).toBe(415);
      expect(response.body.error.message).toMatch(/empty/);
    });

    it('fails the job of a video without an audio track in its first step, with the reason, keeping the upload', async () => {
      // A well-formed MP4 is answered before ffprobe looks at its streams; the job's first step
      // (the probe) finds no audio and fails the job, before any transcription.
      const file = path.join(scratch, 'mute.mp4');
      makeSilentVideo(file);
      const { jobId, last } = await submitAndWait(stack, stack.apiKey, file, { to: 'es' });
      expect(last).toMatchObject({ status: 'failed', error: expect.stringMatching(/The video has no audio track, so there is no speech to translate/) });
      const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
      expect(job).toMatchObject({ status: 'failed', stage: 'transcribe', media: null });
      const stored = path.join(stack.config.storage.dir, 'jobs', jobId, 'input');
      expect(fs.readFileSync(stored).equals(fs.readFileSync(file))).toBe(true);
    });

    it('fails a job whose audio has no speech with a readable reason, and keeps the upload', async () => {
      const file = path.join(scratch, 'quiet.mp4');
      makeVideoWithSilentAudio(file);
      const { jobId, last } = await submitAndWait(stack, stack.apiKey, file, { to: 'es', from: 'en' });
      expect(last.status).toBe('failed');
      expect(last.error).toMatch(/No speech was found/);
      const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
      expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/No speech was found/) });
      // The user's upload survives the failure, byte for byte.
      const stored = path.join(stack.config.storage.dir, 'jobs', jobId, 'input');
      expect(fs.readFileSync(stored).equals(fs.readFileSync(file))).toBe(true);

      // Retry runs the pipeline again on the kept upload (a new run, so the queue takes it).
      const again = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
      const retried = await stack.http().post(`/v1/jobs/${jobId}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body.job).toMatchObject({ status: 'queued', error: null });
      expect(await again.finished).toMatchObject({ status: 'failed', error: expect.stringMatching(/No speech was found/) });
      again.close();
    });

    it('rejects an unsupported language pair with the list of what is available', async () => {
      const response = await stack.http().post('/v1/jobs').field('to', 'ja').field('from', 'en').attach('file', sample('jfk.mp4'));
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('UNSUPPORTED_LANGUAGE_PAIR');
      const available = JSON.stringify(response.body.error.details);
      // As routes (every `from` into every `to`): one route of NLLB's would be 202 × 201 pairs.
      expect(available).toContain('"engine":"apertium","routes":[{"from":["en"],"to":["es"]}');
    });

    it('rejects a submission without a file or target, and unknown routes and jobs', async () => {
      expect((await stack.http().post('/v1/jobs').field('to', 'es')).status).toBe(400);
      const noTarget = await stack.http().post('/v1/jobs').attach('file', sample('jfk.mp4'));
      expect(noTarget.status).toBe(400);
      expect(noTarget.body.error.message).toMatch(/to/);
      expect((await stack.http().get('/v1/jobs/00000000-0000-0000-0000-000000000000')).status).toBe(404);
      expect((await stack.http().get('/v1/jobs/../../etc/passwd')).status).toBe(404);
    });

    it('is still healthy and lists its languages', async () => {
      expect((await stack.http().get('/health')).body).toEqual({ status: 'ok' });
      const languages = await stack.http().get('/v1/languages');
      expect(languages.body.engines.map((engine: { name: string }) => engine.name)).toEqual(expect.arrayContaining(['apertium', 'whisper']));
    });
  });
});

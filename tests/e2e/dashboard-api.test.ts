import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseSrt } from '@babelfish/media';
import { ffprobeStreams } from '../support/media';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

type Track = { language: string; kind: string; version: number; segments: { start: number; end: number; text: string }[]; vttUrl: string };
type Output = { kind: string; language: string | null; url: string };

/** The REST surface the dashboard uses, on PostgreSQL: resumable upload → job → edit → re-mux → retry → delete. */
describe('dashboard API on PostgreSQL', () => {
  let stack: Stack;
  let jobId = '';
  beforeAll(async () => {
    stack = await startStack({ database: 'postgres' });
  });
  afterAll(() => stack?.stop());

  const api = () => stack.http();

  async function finish(id: string) {
    const watch = await watchJob(stack.api.url, id, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    return last;
  }

  it('takes a resumable upload in chunks, resumes from the server offset, and creates the job from it', async () => {
    const video = fs.readFileSync(sample('jfk.mp4'));
    const created = await api().post('/v1/uploads').send({ name: 'jfk.mp4', size: video.length });
    expect(created.status).toBe(201);
    const uploadId: string = created.body.upload.id;
    const half = Math.floor(video.length / 2);

    const first = await api().patch(`/v1/uploads/${uploadId}`).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(video.subarray(0, half));
    expect(first.body.upload.offset).toBe(half);
    // A client that lost track (dropped connection) sends the wrong offset: 409 says where to resume.
    const stale = await api().patch(`/v1/uploads/${uploadId}`).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(video.subarray(0, 10));
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.offset).toBe(half);
    const early = await api().post('/v1/jobs').send({ uploadId, to: ['es'], from: 'en' });
    expect(early.status).toBe(400);
    expect(early.body.error.message).toMatch(/incomplete/);

    const resumeAt = (await api().get(`/v1/uploads/${uploadId}`)).body.upload.offset;
    const rest = await api().patch(`/v1/uploads/${uploadId}`).set('Upload-Offset', String(resumeAt)).set('Content-Type', 'application/offset+octet-stream').send(video.subarray(resumeAt));
    expect(rest.body.upload).toMatchObject({ offset: video.length, size: video.length });
    const tooMuch = await api().patch(`/v1/uploads/${uploadId}`).set('Upload-Offset', String(video.length)).set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('x'));
    expect(tooMuch.status).toBe(413);

    const submitted = await api().post('/v1/jobs').send({ uploadId, to: ['es'], from: 'en' });
    expect(submitted.status).toBe(202);
    jobId = submitted.body.job.id;
    // Answered before the heavy work: the thumbnail is made by the job's first step.
    expect(submitted.body.job).toMatchObject({ originalName: 'jfk.mp4', thumbnailUrl: null });
    expect((await api().get(`/v1/uploads/${uploadId}`)).status).toBe(404);
    expect(await finish(jobId)).toMatchObject({ status: 'completed' });
    expect((await api().get(`/v1/jobs/${jobId}`)).body.job).toMatchObject({ thumbnailUrl: `/v1/jobs/${jobId}/thumbnail`, durationSeconds: expect.closeTo(11.6, 1) });
  });

  it('serves a JPEG thumbnail and the original video with byte ranges', async () => {
    const thumbnail = await api().get(`/v1/jobs/${jobId}/thumbnail`).buffer(true);
    expect(thumbnail.headers['content-type']).toBe('image/jpeg');
    const metadata = await sharp(thumbnail.body as Buffer).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 320, height: 240 });

    const size = fs.statSync(sample('jfk.mp4')).size;
    const ranged = await api().get(`/v1/jobs/${jobId}/video`).set('Range', 'bytes=100-199').buffer(true);
    expect(ranged.status).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 100-199/${size}`);
    expect(Buffer.compare(ranged.body as Buffer, fs.readFileSync(sample('jfk.mp4')).subarray(100, 200))).toBe(0);
    expect((await api().get(`/v1/jobs/${jobId}/video`).set('Range', `bytes=${size}-`)).status).toBe(416);
  });

  it('edits a track as a new version, validates it, and re-muxes only the outputs', async () => {
    const listed = await api().get(`/v1/jobs/${jobId}/subtitles`);
    const tracks: Track[] = listed.body.tracks;
    expect(tracks.map((track) => [track.language, track.kind, track.version])).toEqual([
      ['en', 'source', 1],
      ['es', 'translation', 1],
    ]);
    const spanish = tracks.find((track) => track.language === 'es')!;
    const vtt = await api().get(spanish.vttUrl);
    expect(vtt.headers['content-type']).toMatch(/text\/vtt/);
    expect(vtt.text).toContain('país');

    const overlapping = spanish.segments.map((segment, index) => (index === 1 ? { ...segment, start: spanish.segments[0]!.end - 1 } : segment));
    const invalid = await api().put(`/v1/jobs/${jobId}/subtitles/es`).send({ segments: overlapping, baseVersion: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.problems[0]).toMatchObject({ index: 1, field: 'start' });
    const negative = await api().put(`/v1/jobs/${jobId}/subtitles/es`).send({ segments: [{ start: -1, end: 1, text: 'x' }] });
    expect(negative.status).toBe(400);

    const edited = spanish.segments.map((segment, index) => (index === 0 ? { ...segment, text: 'Texto EDITADO por una persona' } : segment));
    const saved = await api().put(`/v1/jobs/${jobId}/subtitles/es`).send({ segments: edited, baseVersion: 1 });
    expect(saved.status).toBe(200);
    expect(saved.body.track).toMatchObject({ language: 'es', version: 2, origin: 'edit' });
    const stale = await api().put(`/v1/jobs/${jobId}/subtitles/es`).send({ segments: edited, baseVersion: 1 });
    expect(stale.status).toBe(409);

    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const remux = await api().post(`/v1/jobs/${jobId}/remux`);
    expect(remux.status).toBe(202);
    expect(remux.body.job).toMatchObject({ status: 'queued', stage: 'mux' });
    const last = await watch.finished;
    watch.close();
    expect(last.status).toBe('completed');
    expect(watch.events.every((event) => event.stage === 'mux')).toBe(true);

    const outputs: Output[] = (await api().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const srt = await fetch(stack.api.url + outputs.find((output) => output.kind === 'srt' && output.language === 'es')!.url, { headers: { Authorization: `Bearer ${stack.apiKey}` } });
    const cues = parseSrt(await srt.text());
    expect(cues[0]?.text).toBe('Texto EDITADO por una persona');
    expect(cues.length).toBe(spanish.segments.length);
  });

  it('adds a language to a finished job, running only translate and mux', async () => {
    // Subscribe first: a same-language "translation" is instant, and its events must not be missed.
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const added = await api().post(`/v1/jobs/${jobId}/languages`).send({ to: ['en'] });
    expect(added.status).toBe(202);
    expect(added.body.job).toMatchObject({ status: 'queued', stage: 'translate', targetLanguages: ['es', 'en'] });
    expect(await watch.finished).toMatchObject({ status: 'completed' });
    watch.close();
    expect(new Set(watch.events.map((event) => event.stage))).toEqual(new Set(['translate', 'mux']));
    const outputs: Output[] = (await api().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const mkv = outputs.find((output) => output.kind === 'mkv')!;
    const file = path.join(os.tmpdir(), `bf-added-${jobId}.mkv`);
    fs.writeFileSync(file, Buffer.from(await (await fetch(stack.api.url + mkv.url, { headers: { Authorization: `Bearer ${stack.apiKey}` } })).arrayBuffer()));
    expect(ffprobeStreams(file).filter((stream) => stream.codec_type === 'subtitle').map((stream) => stream.tags?.language)).toEqual(['spa', 'eng']);
    fs.rmSync(file);
    expect((await api().post(`/v1/jobs/${jobId}/languages`).send({ to: ['es'] })).status).toBe(400);
    expect((await api().post(`/v1/jobs/${jobId}/languages`).send({ to: ['ja'] })).status).toBe(400);
  });

  it('reuses the transcript when the same video is submitted again (content hash)', async () => {
    const again = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(again.status).toBe(202);
    const watch = await watchJob(stack.api.url, again.body.job.id, { apiKey: stack.apiKey });
    expect(await watch.finished).toMatchObject({ status: 'completed' });
    watch.close();
    const transcribeEvents = watch.events.filter((event) => event.stage === 'transcribe');
    expect(transcribeEvents.at(-1)?.message).toBe('Reused the transcript of the same video');
    expect(transcribeEvents.some((event) => event.message === 'Transcribing')).toBe(false);
    const tracks: Track[] = (await api().get(`/v1/jobs/${again.body.job.id}/subtitles`)).body.tracks;
    expect(tracks.find((track) => track.language === 'es')?.segments[0]?.text).toContain('país');
    // Another owner sending the same bytes gets no reuse (and sees nothing of the first job).
    const otherKey = await stack.createApiKey('other-owner');
    const other = await stack.http(otherKey).post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    const otherWatch = await watchJob(stack.api.url, other.body.job.id, { apiKey: otherKey });
    expect(await otherWatch.finished).toMatchObject({ status: 'completed' });
    otherWatch.close();
    expect(otherWatch.events.some((event) => event.message === 'Reused the transcript of the same video')).toBe(false);
  });

  it('retries only failed jobs and deletes a job with its files', async () => {
    const notFailed = await api().post(`/v1/jobs/${jobId}/retry`);
    expect(notFailed.status).toBe(409);
    const deleted = await api().delete(`/v1/jobs/${jobId}`);
    expect(deleted.status).toBe(204);
    expect((await api().get(`/v1/jobs/${jobId}`)).status).toBe(404);
    expect(fs.existsSync(`${stack.config.storage.dir}/jobs/${jobId}`)).toBe(false);
  });
});

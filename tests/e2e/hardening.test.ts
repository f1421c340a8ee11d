import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ffprobeStreams } from '../support/media';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

/** Bad input, request ids, readiness, metrics, idempotency, CORS and limits, on the real stack. */
describe('hardening (SQLite, worker running)', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-hardening-'));
  const jfk = fs.readFileSync(sample('jfk.mp4'));

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', env: { MAX_DURATION_SECONDS: '20', CORS_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  const api = () => stack.http();

  function writeScratch(name: string, data: Buffer | string): string {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, data);
    return file;
  }

  async function finish(jobId: string) {
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    return last;
  }

  it.each([
    ['a truncated MP4 (first 60%)', () => writeScratch('truncated.mp4', jfk.subarray(0, Math.floor(jfk.length * 0.6)))],
    ['a header-only MP4 (first 2 KB)', () => writeScratch('header.mp4', jfk.subarray(0, 2048))],
    ['random bytes named .mov', () => writeScratch('noise.mov', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)))],
  ])('rejects %s by content, with a readable 415', async (_label, make) => {
    const response = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', make());
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA');
    expect(response.body.error.message).not.toMatch(/\/tmp|\/work|ffprobe/);
    expect(response.body.requestId).toEqual(response.headers['x-request-id']);
  });

  it('rejects a video longer than the configured duration limit', async () => {
    const response = await api().post('/v1/jobs').field('to', 'en').field('from', 'es').attach('file', sample('es_everest.mp4'));
    expect(response.status).toBe(413);
    expect(response.body.error.message).toMatch(/limit is 20 s/);
  });

  it('accepts an audio-only file and gives subtitles plus audio+subtitle containers', async () => {
    const submitted = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.wav'));
    expect(submitted.status).toBe(202);
    expect(submitted.body.job.thumbnailUrl).toBeNull();
    expect(await finish(submitted.body.job.id)).toMatchObject({ status: 'completed' });
    const outputs = (await api().get(`/v1/jobs/${submitted.body.job.id}/outputs`)).body.outputs as { kind: string; url: string; name: string }[];
    const mkv = outputs.find((output) => output.kind === 'mkv')!;
    const file = writeScratch('audio-only.mkv', Buffer.from(await (await fetch(stack.api.url + mkv.url, { headers: { Authorization: `Bearer ${stack.apiKey}` } })).arrayBuffer()));
    // The Spanish track and the English original.
    expect(ffprobeStreams(file).map((stream) => stream.codec_type).sort()).toEqual(['audio', 'subtitle', 'subtitle']);
  });

  it('treats a hostile file name as data: safe output names, nothing written outside storage', async () => {
    const hostile = '../../etc/passwd; rm -rf ~ $(reboot) `id`.mp4';
    const submitted = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'), { filename: hostile });
    expect(submitted.status).toBe(202);
    expect(submitted.body.job.originalName).not.toContain('/');
    expect(await finish(submitted.body.job.id)).toMatchObject({ status: 'completed' });
    const outputs = (await api().get(`/v1/jobs/${submitted.body.job.id}/outputs`)).body.outputs as { name: string }[];
    for (const output of outputs) expect(output.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(outputs.map((output) => output.name)).toContain('passwd-rm-rf-reboot-id.subtitled.mp4');
  });

  it('creates one job for a retried POST with the same Idempotency-Key', async () => {
    const send = () => api().post('/v1/jobs').set('Idempotency-Key', 'upload-42-attempt').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    const first = await send();
    const retry = await send();
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.job.id).toBe(first.body.job.id);
    // Concurrent duplicates: at most one creates a job, the other replays it or is told to retry.
    const [a, b] = await Promise.all([
      api().post('/v1/jobs').set('Idempotency-Key', 'race-1').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4')),
      api().post('/v1/jobs').set('Idempotency-Key', 'race-1').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4')),
    ]);
    expect([a.status, b.status].sort()).toEqual(expect.arrayContaining([202]));
    for (const response of [a, b]) expect([202, 409]).toContain(response.status);
    const ids = new Set([a, b].filter((response) => response.status === 202).map((response) => response.body.job.id));
    expect(ids.size).toBe(1);
    // A failed attempt frees its key: the corrected retry goes through.
    const bad = await api().post('/v1/jobs').set('Idempotency-Key', 'fix-me').field('to', 'xx').attach('file', sample('jfk.mp4'));
    expect(bad.status).toBe(400);
    const fixed = await api().post('/v1/jobs').set('Idempotency-Key', 'fix-me').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(fixed.status).toBe(202);
  });

  it('puts a request id on every response, echoing a sane incoming one', async () => {
    const echoed = await api().get('/health').set('X-Request-Id', 'trace-abc-12345');
    expect(echoed.headers['x-request-id']).toBe('trace-abc-12345');
    const replaced = await api().get('/health').set('X-Request-Id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await api().get('/v1/jobs/00000000-0000-0000-0000-000000000000');
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' }, requestId: missing.headers['x-request-id'] });
  });

  it('is ready when database, Redis, storage, models and ffmpeg all answer, and exports metrics', async () => {
    const ready = await api().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'ffmpeg', 'models', 'redis', 'storage']);
    for (const check of Object.values(ready.body.checks) as { ok: boolean }[]) expect(check.ok).toBe(true);

    const metrics = await api().get('/metrics');
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(/babelfish_jobs\{status="completed"\} [1-9]/);
    expect(metrics.text).toMatch(/babelfish_queue_depth\{queue="transcribe"\} \d+/);
    expect(metrics.text).toMatch(/babelfish_http_request_duration_seconds_count\{method="POST",route="\/v1\/jobs",status="202"\} [1-9]/);
    expect(metrics.text).toMatch(/babelfish_stage_duration_seconds_count\{stage="transcribe"\} [1-9]/);
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const allowed = await api().options('/v1/jobs').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const denied = await api().options('/v1/jobs').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'POST');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends security headers and never a stack trace', async () => {
    const response = await api().post('/v1/jobs').set('Content-Type', 'application/json').send('{"broken": ');
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.ts:\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('readiness reports what is missing', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', worker: false, env: { MODELS_DIR: '/nonexistent/models' } });
  });
  afterAll(() => stack?.stop());

  it('is not ready without the speech model, and says so', async () => {
    const ready = await stack.http().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.models).toMatchObject({ ok: false, detail: expect.stringContaining('/nonexistent/models') });
    expect(ready.body.checks.database.ok).toBe(true);
    expect((await stack.http().get('/health')).status).toBe(200);
  });
});

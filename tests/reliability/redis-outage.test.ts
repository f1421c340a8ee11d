import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApiKeyRepository, openDatabase, type DatabaseHandle } from '@babelfish/db';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir, sample } from '../support/paths';
import { startPrivateRedis, type PrivateRedis } from '../support/reliability';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * Redis down (killed) or stalled (SIGSTOP: connections open, no answers) under the API process:
 * every request that needs Redis gets 503 + Retry-After within about the command timeout, the
 * API itself stays up, and a submission whose queueing failed leaves no job behind, even after
 * Redis comes back and replays what it had been sent.
 */
describe('Redis outage under the API', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-outage-'));
  const dataDir = path.join(scratch, 'data');
  let redis: PrivateRedis;
  let api: ApiProcess;
  let worker: WorkerProcess | undefined;
  let keys: DatabaseHandle;
  let key = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    fs.mkdirSync(path.join(scratch, 'redis'));
    redis = await startPrivateRedis(path.join(scratch, 'redis'), []);
    env = {
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `test-outage-${randomUUID()}`,
      MODELS_DIR: modelsDir,
      ALLOW_REMOTE_MODELS: 'false',
      AUTH_MODE: 'api-key',
      REDIS_COMMAND_TIMEOUT_MS: '1500',
      JOB_ATTEMPTS: '1',
    };
    api = await spawnApi(env);
    keys = openDatabase(`file:${path.join(dataDir, 'babelfish.db')}`);
    key = (await createApiKeyRepository(keys.db).create({ ownerId: 'olga', name: 'test' })).key;
  });

  afterAll(async () => {
    redis?.process().kill('SIGCONT');
    await worker?.stop();
    await api?.stop();
    await keys?.close();
    await redis?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const authed = () => request(api.url);
  const timedGet = async (url: string) => {
    const started = Date.now();
    const response = await authed().get(url).set('Authorization', `Bearer ${key}`).timeout(10_000);
    return { response, ms: Date.now() - started };
  };

  async function expectFastUnavailable(url: string): Promise<void> {
    const { response, ms } = await timedGet(url);
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(ms).toBeLessThan(2500);
  }

  async function waitForRecovery(): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      if ((await timedGet('/v1/jobs')).response.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the API did not recover after Redis came back');
  }

  /** A multipart upload sent in two halves, so something can happen to Redis in between. */
  function slowUpload(file: string, between: () => void): Promise<{ status: number; body: { error?: { code: string } }; ms: number }> {
    const boundary = `b${randomUUID()}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\nes\r\n--${boundary}\r\nContent-Disposition: form-data; name="from"\r\n\r\nen\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="talk.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const video = fs.readFileSync(file);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const req = http.request(`${api.url}/v1/jobs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + video.length + tail.length) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), ms: Date.now() - started }));
      });
      req.on('error', reject);
      req.write(head);
      req.write(video.subarray(0, 1000));
      // By now the request passed authentication and the (Redis) rate limit.
      setTimeout(() => {
        between();
        req.end(Buffer.concat([video.subarray(1000), tail]));
      }, 700);
    });
  }

  it('accepts work while Redis is healthy', async () => {
    const submitted = await authed().post('/v1/jobs').set('Authorization', `Bearer ${key}`).field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
  });

  it('creates no job when Redis stalls while a submission is queued, even once Redis replays it', async () => {
    const before = (await timedGet('/v1/jobs')).response.body.jobs.length;
    const outcome = await slowUpload(sample('jfk.mp4'), () => redis.process().kill('SIGSTOP'));
    expect(outcome.status).toBe(503);
    expect(outcome.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    expect(outcome.ms).toBeLessThan(8000);
    // While stalled, reads fail fast too; liveness does not depend on Redis.
    await expectFastUnavailable('/v1/jobs');
    expect((await authed().get('/health')).status).toBe(200);

    redis.process().kill('SIGCONT');
    await waitForRecovery();
    // Redis has now executed the queueing command it was sent; a worker must still not run it.
    worker = await spawnWorker(env, 90_000);
    const deadline = Date.now() + 120_000;
    while (!worker.output().includes('skipping a stale transcription entry') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(worker.output()).toContain('skipping a stale transcription entry');
    const jobs = (await timedGet('/v1/jobs')).response.body.jobs as { id: string }[];
    expect(jobs).toHaveLength(before);
    // No stored input of an undone submission is left either.
    const stored = fs.readdirSync(path.join(dataDir, 'storage', 'jobs'));
    expect(stored.sort()).toEqual(jobs.map((job) => job.id).sort());
    await worker.stop();
    worker = undefined;
  });

  it('answers 503 + Retry-After at once while Redis is down, and recovers when it returns', async () => {
    await redis.kill('SIGKILL');
    await expectFastUnavailable('/v1/jobs');
    const jobs = await keys.db.selectFrom('jobs').select('id').execute();
    await expectFastUnavailable(`/v1/jobs/${jobs[0]!.id}`);
    const started = Date.now();
    const upload = await authed().post('/v1/jobs').set('Authorization', `Bearer ${key}`).field('to', 'es').attach('file', sample('jfk.mp4'));
    expect(upload.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await authed().get('/health')).status).toBe(200);
    const ready = await authed().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis.ok).toBe(false);
    expect(api.alive()).toBe(true);

    await redis.start();
    await waitForRecovery();
    expect((await authed().get('/health/ready')).status).toBe(200);
  });

  it('answers 503 within the command timeout while Redis is stalled', async () => {
    redis.process().kill('SIGSTOP');
    try {
      await expectFastUnavailable('/v1/jobs');
    } finally {
      redis.process().kill('SIGCONT');
    }
    await waitForRecovery();
  });
});

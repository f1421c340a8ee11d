import { execFileSync } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { io } from 'socket.io-client';
import type { ProgressEvent } from '@babelfish/core';
import { createApiKeyRepository, openDatabase } from '@babelfish/db';
import { createLogger } from '@babelfish/logger';
import { startApiServer } from '../../apps/api/src/server';
import { repoRoot, sample } from '../support/paths';
import { startStack, type Stack, submitAndComplete } from '../support/stack';
import { watchJob } from '../support/socket';

/** Authentication, per-owner privacy everywhere, sessions and Redis-backed rate limits. */
describe('security (PostgreSQL, API keys)', () => {
  let stack: Stack;
  let aliceKey = '';
  let bobKey = '';
  let aliceJob = '';

  beforeAll(async () => {
    stack = await startStack({ database: 'postgres', env: { RATE_LIMIT_READ_PER_MINUTE: '1000' } });
    aliceKey = await stack.createApiKey('alice');
    bobKey = await stack.createApiKey('bob');
    aliceJob = await submitAndComplete(stack, aliceKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
  });
  afterAll(() => stack?.stop());

  it('refuses requests without a valid key, with 401 and a challenge', async () => {
    const anonymous = await request(stack.api.url).get('/v1/jobs');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/Bearer/);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    expect((await stack.http('bf_000000000000.' + 'x'.repeat(43)).get('/v1/jobs')).status).toBe(401);
    expect((await request(stack.api.url).get('/v1/jobs').set('X-Api-Key', aliceKey)).status).toBe(200);
    // Health stays open for load balancers.
    expect((await request(stack.api.url).get('/health')).status).toBe(200);
  });

  it("hides one owner's job from another everywhere: status, outputs, downloads, media, edits, deletes", async () => {
    const bob = () => stack.http(bobKey);
    const outputs = (await stack.http(aliceKey).get(`/v1/jobs/${aliceJob}/outputs`)).body.outputs as { url: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    const attempts = [
      bob().get(`/v1/jobs/${aliceJob}`),
      bob().get(`/v1/jobs/${aliceJob}/outputs`),
      bob().get(outputs[0]!.url),
      bob().get(`/v1/jobs/${aliceJob}/thumbnail`),
      bob().get(`/v1/jobs/${aliceJob}/video`),
      bob().get(`/v1/jobs/${aliceJob}/subtitles`),
      bob().get(`/v1/jobs/${aliceJob}/subtitles/es.vtt`),
      bob().put(`/v1/jobs/${aliceJob}/subtitles/es`).send({ segments: [{ start: 0, end: 1, text: 'hijacked' }] }),
      bob().post(`/v1/jobs/${aliceJob}/remux`),
      bob().post(`/v1/jobs/${aliceJob}/retry`),
      bob().delete(`/v1/jobs/${aliceJob}`),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404);
      expect(response.body.error?.code).toBe('NOT_FOUND');
    }
    expect((await bob().get('/v1/jobs')).body.jobs).toEqual([]);
    expect((await stack.http(aliceKey).get('/v1/jobs')).body.jobs.map((job: { id: string }) => job.id)).toEqual([aliceJob]);
    expect((await stack.http(aliceKey).get(`/v1/jobs/${aliceJob}/subtitles`)).body.tracks[1].version).toBe(1);
  });

  it("keeps Socket.IO rooms private: no credentials, no connection; another owner's job, no room", async () => {
    const anonymous = io(stack.api.url, { transports: ['websocket'], reconnection: false });
    const refused = await new Promise<string>((resolve) => anonymous.on('connect_error', (error) => resolve(error.message)));
    expect(refused).toBe('unauthorized');
    anonymous.close();

    const bobSocket = await watchJob(stack.api.url, aliceJob, { apiKey: bobKey, timeoutMs: 60_000 });
    expect(bobSocket.snapshot).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const received: ProgressEvent[] = bobSocket.events;
    // Alice re-muxes; Bob, who asked for her room, must hear nothing.
    const alice = await watchJob(stack.api.url, aliceJob, { apiKey: aliceKey });
    const remux = await stack.http(aliceKey).post(`/v1/jobs/${aliceJob}/remux`);
    expect(remux.status).toBe(202);
    expect(await alice.finished).toMatchObject({ status: 'completed' });
    alice.close();
    expect(received).toEqual([]);
    bobSocket.close();
  });

  it('keeps resumable uploads private to their owner', async () => {
    const created = await stack.http(aliceKey).post('/v1/uploads').send({ name: 'a.mp4', size: 10 });
    expect(created.status).toBe(201);
    expect((await stack.http(bobKey).get(`/v1/uploads/${created.body.upload.id}`)).status).toBe(404);
    const append = await stack.http(bobKey).patch(`/v1/uploads/${created.body.upload.id}`).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10));
    expect(append.status).toBe(404);
  });

  it('logs the dashboard in with a key into an HttpOnly, SameSite=Strict cookie, and out again', async () => {
    expect((await request(stack.api.url).post('/v1/session').send({ apiKey: 'bf_nope' })).status).toBe(401);
    const agent = request.agent(stack.api.url);
    const login = await agent.post('/v1/session').send({ apiKey: aliceKey });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/bf_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await agent.get('/v1/session')).body).toMatchObject({ ownerId: 'alice' });
    expect((await agent.get(`/v1/jobs/${aliceJob}`)).status).toBe(200);
    expect((await agent.delete('/v1/session')).status).toBe(204);
    expect((await agent.get('/v1/jobs')).status).toBe(401);
  });

  it('manages keys with the CLI: a created key works, a revoked key stops at once', async () => {
    const env = { ...process.env, DATABASE_URL: stack.config.databaseUrl, DATA_DIR: stack.dataDir };
    const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
    const created = execFileSync(tsx, ['--conditions=development', 'apps/cli/src/main.ts', 'keys', 'create', '--owner', 'carol', '--name', 'ci'], { cwd: repoRoot, env, encoding: 'utf8' });
    const key = /bf_[0-9a-f]{12}\.[A-Za-z0-9_-]{43}/.exec(created)![0];
    const id = key.slice(3, 15);
    expect((await stack.http(key).get('/v1/jobs')).status).toBe(200);
    // A dashboard session and two open sockets (cookie and key) made with it.
    const dashboard = request.agent(stack.api.url);
    const login = await dashboard.post('/v1/session').send({ apiKey: key });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const byCookie = await openSocket({ extraHeaders: { Cookie: cookie } });
    const byKey = await openSocket({ auth: { apiKey: key } });
    expect((await dashboard.get('/v1/jobs')).status).toBe(200);

    const revokeEnv = { ...env, REDIS_URL: stack.config.redisUrl, QUEUE_PREFIX: stack.config.queuePrefix };
    const said = execFileSync(tsx, ['--conditions=development', 'apps/cli/src/main.ts', 'keys', 'revoke', id], { cwd: repoRoot, env: revokeEnv, encoding: 'utf8' });
    expect(said).toContain('sessions and sockets were closed');
    const revokedAt = Date.now();
    expect((await stack.http(key).get('/v1/jobs')).status).toBe(401);
    // The session made with the key ends with it, and both sockets are closed by the server.
    expect((await dashboard.get('/v1/jobs')).status).toBe(401);
    expect(await Promise.all([byCookie.closed, byKey.closed])).toEqual(['io server disconnect', 'io server disconnect']);
    // Within seconds (the bound leaves room for a loaded CI machine; the push itself is immediate).
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    await expect(openSocket({ extraHeaders: { Cookie: cookie } })).rejects.toThrow(/unauthorized/);
  });

  it('closes the sockets of a key revoked without an announcement (straight in the database) within seconds', async () => {
    const key = await stack.createApiKey('dave');
    const socket = await openSocket({ auth: { apiKey: key } });
    const database = openDatabase(stack.config.databaseUrl);
    try {
      await createApiKeyRepository(database.db).revoke(key.slice(3, 15));
    } finally {
      await database.close();
    }
    const started = Date.now();
    expect(await socket.closed).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(8000);
  });

  /** A connected socket and a promise of the reason it is closed for. */
  function openSocket(options: { auth?: Record<string, string>; extraHeaders?: Record<string, string> }): Promise<{ closed: Promise<string> }> {
    const socket = io(stack.api.url, { transports: ['websocket'], reconnection: false, ...options });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve({ closed: new Promise((done) => socket.once('disconnect', (reason) => done(reason))) }));
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }
});

describe('rate limits held in Redis across API replicas', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', worker: false, env: { RATE_LIMIT_READ_PER_MINUTE: '6', RATE_LIMIT_SUBMIT_PER_MINUTE: '2' } });
  });
  afterAll(() => stack?.stop());

  it('answers 429 with Retry-After once a key spends its reads, counting both replicas, and not for other keys', async () => {
    // Stay clear of a minute boundary, where the fixed window would reset mid-test.
    const secondsLeft = 60 - (Math.floor(Date.now() / 1000) % 60);
    if (secondsLeft < 5) await new Promise((resolve) => setTimeout(resolve, secondsLeft * 1000 + 100));
    const replica = await startApiServer(stack.config, createLogger('replica', 'warn'));
    try {
      const fromA = await Promise.all(Array.from({ length: 3 }, () => stack.http().get('/v1/jobs')));
      const fromB = await Promise.all(Array.from({ length: 3 }, () => request(replica.url).get('/v1/jobs').set('Authorization', `Bearer ${stack.apiKey}`)));
      expect([...fromA, ...fromB].map((response) => response.status)).toEqual(Array(6).fill(200));
      const limited = await request(replica.url).get('/v1/jobs').set('Authorization', `Bearer ${stack.apiKey}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      const other = await stack.createApiKey('someone-else');
      expect((await stack.http(other).get('/v1/jobs')).status).toBe(200);
    } finally {
      await replica.close();
    }
  });

  it('limits submissions separately, before any upload work is done', async () => {
    const other = await stack.createApiKey('submitter');
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await stack.http(other).post('/v1/uploads').send({ name: 'x.mp4', size: 100 })).status);
    expect(statuses).toEqual([201, 201, 429]);
  });
});

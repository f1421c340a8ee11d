import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import request from 'supertest';
import { io, type Socket } from 'socket.io-client';
import { createApiKeyRepository, openDatabase, type DatabaseHandle } from '@babelfish/db';
import { QueueName, createRedisConnection } from '@babelfish/queue';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir, repoRoot, sample } from '../support/paths';

/**
 * Hostile clients against the API as deployed (its own process): malformed Socket.IO payloads,
 * malformed REST bodies, paths, headers and multipart on every route. Nothing may crash the
 * process, nothing may answer 500, no answer may carry a server path or tool output, and the
 * service must keep answering /health and serving honest clients afterwards.
 */
describe('hostile clients (API process, SQLite, real Redis)', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-hostile-'));
  const dataDir = path.join(scratch, 'data');
  const uploadBase = path.join(scratch, 'receive');
  const toolLog = path.join(scratch, 'tool-calls.log');
  const prefix = `test-hostile-${randomUUID()}`;
  let api: ApiProcess;
  let keys: DatabaseHandle;
  let key = '';
  let otherKey = '';
  let jobId = '';

  /** ffmpeg/ffprobe behind wrappers that log each start, so the test can count process spawns. */
  function toolWrapper(tool: string): string {
    const wrapper = path.join(scratch, `${tool}-wrapper.sh`);
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "${tool} $*" >> '${toolLog}'\nexec ${tool} "$@"\n`, { mode: 0o755 });
    return wrapper;
  }

  beforeAll(async () => {
    // Left-overs of a crashed API process (no heartbeat for an hour) and a live one's folder.
    fs.mkdirSync(path.join(uploadBase, 'api-1-crashed'), { recursive: true });
    fs.writeFileSync(path.join(uploadBase, 'api-1-crashed', 'half.upload'), Buffer.alloc(4096));
    fs.writeFileSync(path.join(uploadBase, 'api-1-crashed', '.alive'), '0');
    const anHourAgo = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(uploadBase, 'api-1-crashed', '.alive'), anHourAgo, anHourAgo);
    fs.utimesSync(path.join(uploadBase, 'api-1-crashed'), anHourAgo, anHourAgo);
    fs.mkdirSync(path.join(uploadBase, 'api-2-live'));
    fs.writeFileSync(path.join(uploadBase, 'api-2-live', '.alive'), String(Date.now()));

    api = await spawnApi({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: prefix,
      MODELS_DIR: modelsDir,
      ALLOW_REMOTE_MODELS: 'false',
      AUTH_MODE: 'api-key',
      UPLOAD_TEMP_DIR: uploadBase,
      FFMPEG_PATH: toolWrapper('ffmpeg'),
      FFPROBE_PATH: toolWrapper('ffprobe'),
      RATE_LIMIT_READ_PER_MINUTE: '100000',
      RATE_LIMIT_SUBMIT_PER_MINUTE: '100000',
      WEB_DIR: path.join(repoRoot, 'apps/web/dist'),
    });
    keys = openDatabase(`file:${path.join(dataDir, 'babelfish.db')}`);
    key = (await createApiKeyRepository(keys.db).create({ ownerId: 'mallory', name: 'test' })).key;
    otherKey = (await createApiKeyRepository(keys.db).create({ ownerId: 'alice', name: 'test' })).key;
    // One real job (no worker runs, so it stays queued) for routes that need an id.
    const submitted = await request(api.url).post('/v1/jobs').set('Authorization', `Bearer ${key}`).field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    jobId = submitted.body.job.id;
  });

  afterAll(async () => {
    await api?.stop();
    await keys?.close();
    const connection = createRedisConnection(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'hostile-cleanup');
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(String(name), { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    connection.disconnect();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** What no client may ever see: our folders, tool output, stack frames. */
  function expectNoLeak(body: string): void {
    for (const secret of [scratch, dataDir, repoRoot, os.tmpdir() + '/', 'stderr', 'ffprobe', '.ts:']) expect(body).not.toContain(secret);
  }

  async function expectStillServing(): Promise<void> {
    expect(api.alive()).toBe(true);
    expect((await request(api.url).get('/health')).status).toBe(200);
    const honest = await request(api.url).get(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${key}`);
    expect(honest.status).toBe(200);
  }

  /** Polls /health/ready (no credentials) until it is 200; fails with the last answer after 30 s. */
  async function waitForAnonymousReadiness(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await request(api.url).get('/health/ready');
      if (response.status === 200) return;
      if (Date.now() > deadline) throw new Error(`/health/ready still ${response.status}: ${JSON.stringify(response.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  function connect(auth: Record<string, unknown> = { apiKey: key }): Promise<Socket> {
    const socket = io(api.url, { transports: ['websocket'], reconnection: false, auth });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('not connected in 5 s'));
      }, 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('connect_error', (error) => {
        clearTimeout(timer);
        socket.close();
        reject(error);
      });
    });
  }

  it('swept the upload left-overs of a crashed API process at start-up, and kept a live one', () => {
    // Checked first: the live folder's heartbeat is not refreshed by anyone, so it goes stale later.
    expect(fs.existsSync(path.join(uploadBase, 'api-1-crashed'))).toBe(false);
    expect(fs.existsSync(path.join(uploadBase, 'api-2-live'))).toBe(true);
  });

  const prototypeless = Object.assign(Object.create(null) as Record<string, unknown>, { jobId: randomUUID() });
  const socketPayloads: [string, unknown][] = [
    ['jobId whose toString is null', { jobId: { toString: null } }],
    ['jobId whose valueOf and toString are null', { jobId: { toString: null, valueOf: null } }],
    ['jobId as an array', { jobId: [randomUUID()] }],
    ['jobId as a number', { jobId: 12345 }],
    ['jobId as null', { jobId: null }],
    ['a huge jobId', { jobId: 'a'.repeat(15_000) }],
    ['prototype keys', JSON.parse(`{"__proto__":{"jobId":"${randomUUID()}"},"constructor":{"prototype":{"polluted":true}}}`)],
    ['an object without a prototype', prototypeless],
    ['extra keys', { jobId: randomUUID(), room: 'job:*' }],
    ['a bare string', 'job:*'],
    ['null', null],
    ['an array', [1, 2, 3]],
    ['a number', 42],
    ['a deep object', JSON.parse('{"a":'.repeat(2000) + '1' + '}'.repeat(2000))],
    ['a path as jobId', { jobId: '../../etc/passwd' }],
    ['binary', Buffer.from('not json')],
  ];

  it.each(['subscribe', 'unsubscribe'])('survives malformed %s payloads, with and without an ack', async (event) => {
    const socket = await connect();
    try {
      for (const [name, payload] of socketPayloads) {
        socket.emit(event, payload); // no ack: the server must not throw either
        const reply = await socket.timeout(5000).emitWithAck(event, payload);
        // A prototype-less object with a well-formed id is a fine payload (for a job that does not exist).
        const wellFormed = payload === prototypeless;
        const expected = !wellFormed ? { error: { code: 'BAD_REQUEST' } } : event === 'subscribe' ? { error: { code: 'NOT_FOUND' } } : { ok: true };
        expect({ name, reply }).toMatchObject({ name, reply: expected });
      }
      // Extra arguments, no arguments at all, and events nobody listens for.
      socket.emit(event);
      socket.emit(event, { jobId: jobId }, 'extra', { more: true });
      expect(await socket.timeout(5000).emitWithAck('no-such-event', { jobId })).toMatchObject({ error: { code: 'NOT_FOUND' } });
      socket.emit('__proto__', {});
      socket.emit('constructor', { jobId: { toString: null } });
      // The same socket still works for honest requests afterwards.
      expect(await socket.timeout(5000).emitWithAck('subscribe', { jobId })).toMatchObject({ job: { id: jobId } });
    } finally {
      socket.close();
    }
    await expectStillServing();
  });

  it('keeps another owner out of a room whatever the payload, and drops oversized messages', async () => {
    const alice = await connect({ apiKey: otherKey });
    try {
      expect(await alice.timeout(5000).emitWithAck('subscribe', { jobId })).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await alice.timeout(5000).emitWithAck('subscribe', { jobId: jobId.toUpperCase() })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    } finally {
      alice.close();
    }
    const big = await connect();
    const closed = new Promise<string>((resolve) => big.once('disconnect', (reason) => resolve(reason)));
    big.emit('subscribe', { jobId: 'x'.repeat(200_000) });
    expect(await closed).toMatch(/transport close|io server disconnect/);
    big.close();
    // Handshake credentials of the wrong type are refused, not thrown on.
    for (const auth of [{ apiKey: { toString: null } }, { apiKey: ['bf_x'] }, { apiKey: 'x'.repeat(10_000) }, { apiKey: null }]) {
      await expect(connect(auth)).rejects.toThrow(/unauthorized/);
    }
    // A handshake bigger than any message may be is cut off by the transport: no connection.
    await expect(connect({ apiKey: 'x'.repeat(100_000) })).rejects.toThrow();
    await expectStillServing();
  });

  const malformedJson: [string, string][] = [
    ['prototype keys', `{"__proto__":{"to":"es","admin":true},"constructor":{"prototype":{"x":1}}}`],
    ['to with a null toString', '{"to":{"toString":null},"uploadId":{"toString":null}}'],
    ['wrong types everywhere', '{"to":[1,{"a":2},null],"from":7,"engine":[],"burnIn":{},"glossary":"{","subtitleRules":[1],"uploadId":5,"segments":"x","baseVersion":"2","name":{},"size":1e308,"apiKey":["k"]}'],
    ['segments of the wrong shape', '{"segments":[{"start":"0","end":null,"text":{}}, null, 5],"baseVersion":-1}'],
    ['an array', '[1,2,3]'],
    ['a string', '"hello"'],
    ['null', 'null'],
    ['a huge string', JSON.stringify({ to: 'es', uploadId: 'u'.repeat(900_000) })],
    ['deep nesting', '{"glossary":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3000) + '}'],
    ['glossary with prototype keys', '{"to":"es","uploadId":"x","glossary":{"__proto__":{"terms":{"a":"b"}},"terms":{"__proto__":"x"}}}'],
    ['subtitle rules with prototype keys', '{"to":"es","uploadId":"x","subtitleRules":{"__proto__":{"maxLines":99},"constructor":1}}'],
    ['invalid JSON', '{"to": '],
  ];

  /** Every route the API has, with a real job id, a random one and hostile ones. */
  function routes(id: string): [string, string][] {
    return [
      ['post', '/v1/jobs'],
      ['get', '/v1/jobs'],
      ['get', `/v1/jobs/${id}`],
      ['delete', `/v1/jobs/${id}`],
      ['get', `/v1/jobs/${id}/outputs`],
      ['get', `/v1/jobs/${id}/quality`],
      ['get', `/v1/jobs/${id}/outputs/${id}/download`],
      ['post', `/v1/jobs/${id}/retry`],
      ['post', `/v1/jobs/${id}/remux`],
      ['post', `/v1/jobs/${id}/languages`],
      ['get', `/v1/jobs/${id}/thumbnail`],
      ['get', `/v1/jobs/${id}/video`],
      ['get', `/v1/jobs/${id}/subtitles`],
      ['get', `/v1/jobs/${id}/subtitles/es.vtt`],
      ['put', `/v1/jobs/${id}/subtitles/es`],
      ['post', '/v1/uploads'],
      ['get', `/v1/uploads/${id}`],
      ['patch', `/v1/uploads/${id}`],
      ['get', '/v1/languages'],
      ['post', '/v1/session'],
      ['get', '/v1/session'],
      ['delete', '/v1/session'],
    ];
  }
  const hostileIds = () => [randomUUID(), '__proto__', 'constructor', '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(5000), '%00'];

  function send(method: string, url: string) {
    const agent = request(api.url) as unknown as Record<string, (url: string) => request.Test>;
    return agent[method]!(url).set('Authorization', `Bearer ${key}`);
  }

  it('answers malformed JSON bodies on every route with a 4xx (or a normal answer), never a 500', async () => {
    const statuses = new Map<number, number>();
    for (const [method, url] of routes(randomUUID())) {
      for (const [, body] of malformedJson) {
        const response = await send(method, url).set('Content-Type', 'application/json').send(body);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(`${method} ${url} ${body.slice(0, 40)} → ${response.status} ${response.status >= 500 ? response.text : ''}`).not.toMatch(/→ 5\d\d/);
        if (response.status >= 400) {
          expect(response.body.error?.code).toEqual(expect.any(String));
          expect(response.body.requestId).toBe(response.headers['x-request-id']);
        }
        expectNoLeak(response.text);
      }
    }
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    await expectStillServing();
  });

  it('answers hostile ids, headers and cookies with a 4xx', async () => {
    for (const id of hostileIds()) {
      for (const [method, url] of routes(id)) {
        const response = await send(method, url).set('Upload-Offset', 'NaN').set('Content-Type', 'application/json').send('{}');
        expect(`${method} ${url.slice(0, 80)} → ${response.status}`).not.toMatch(/→ 5\d\d/);
        expectNoLeak(response.text);
      }
    }
    const headerCases = [
      request(api.url).get('/v1/jobs').set('Cookie', 'bf_session=%E0%A4%A'),
      request(api.url).get('/v1/jobs').set('Cookie', `bf_session=${'A'.repeat(43)}; bf_session=%`),
      request(api.url).get('/v1/jobs').set('Authorization', `Bearer ${'x'.repeat(6000)}`),
      request(api.url).get('/v1/jobs').set('X-Api-Key', 'bf_zzzzzzzzzzzz.' + 'y'.repeat(43)),
      send('patch', `/v1/uploads/${randomUUID()}`).set('Upload-Offset', '1e400').send('abc'),
      send('patch', `/v1/uploads/${randomUUID()}`).set('Upload-Offset', '-1').send('abc'),
    ];
    for (const response of await Promise.all(headerCases)) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    // A garbled cookie on the public readiness route is just an anonymous caller. Readiness is
    // first awaited without the cookie: on a loaded CI machine the first ffmpeg -version (through
    // the logging wrapper) can outlast the check's 3 s budget, which is a 503 for a good reason.
    await waitForAnonymousReadiness();
    const ready = await request(api.url).get('/health/ready').set('Cookie', 'bf_session=%');
    expect({ status: ready.status, body: ready.body }).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready' }) });
    expect(Object.keys(ready.body.checks.ffmpeg)).toEqual(['ok']);
    await expectStillServing();
  });

  it('answers malformed multipart and over-limit bodies with 400 / 413', async () => {
    const noBoundary = await send('post', '/v1/jobs').set('Content-Type', 'multipart/form-data').send('--x\r\nContent-Disposition: form-data; name="to"\r\n\r\nes\r\n--x--');
    expect(noBoundary.status).toBe(400);
    const garbage = await send('post', '/v1/jobs').set('Content-Type', 'multipart/form-data; boundary=abc').send('this is not multipart at all');
    expect(garbage.status).toBe(400);
    const truncated = await send('post', '/v1/jobs')
      .set('Content-Type', 'multipart/form-data; boundary=abc')
      .send('--abc\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\npartial bytes');
    expect(truncated.status).toBe(400);
    const badHeaders = await send('post', '/v1/jobs').set('Content-Type', 'multipart/form-data; boundary=abc').send('--abc\r\nnonsense\r\n\r\nx\r\n--abc--\r\n');
    expect(badHeaders.status).toBeLessThan(500);
    expect(badHeaders.status).toBeGreaterThanOrEqual(400);
    const twoFiles = await send('post', '/v1/jobs').field('to', 'es').attach('file', sample('jfk.mp4')).attach('file', sample('jfk.mp4'));
    expect([400, 413]).toContain(twoFiles.status);
    const manyFields = send('post', '/v1/jobs');
    for (let i = 0; i < 40; i += 1) void manyFields.field(`f${i}`, 'x');
    expect([400, 413]).toContain((await manyFields).status);
    const tooBig = await send('post', '/v1/uploads').set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), size: 1 }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const badCharset = await send('post', '/v1/uploads').set('Content-Type', 'application/json; charset=klingon').send('{}');
    expect(badCharset.status).toBeGreaterThanOrEqual(400);
    expect(badCharset.status).toBeLessThan(500);
    const badEncoding = await send('post', '/v1/uploads').set('Content-Type', 'application/json').set('Content-Encoding', 'zstd-nope').send('{}');
    expect(badEncoding.status).toBeGreaterThanOrEqual(400);
    expect(badEncoding.status).toBeLessThan(500);
    for (const response of [noBoundary, garbage, truncated, tooBig]) expectNoLeak(response.text);
    await expectStillServing();
  });

  it('survives a client that hangs up mid-upload, and leaves no temp file behind', async () => {
    const boundary = 'hangup';
    const client = http.request(`${api.url}/v1/jobs`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(10 * 1024 * 1024) },
    });
    client.on('error', () => undefined);
    client.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
    client.write(Buffer.alloc(256 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 500));
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const live = fs.readdirSync(uploadBase).filter((name) => name.startsWith(`api-${api.child.pid}-`));
    expect(live).toHaveLength(1);
    expect(fs.readdirSync(path.join(uploadBase, live[0]!)).filter((name) => name.endsWith('.upload'))).toEqual([]);
    await expectStillServing();
  });

  it('refuses non-media with a plain reason and the request id, never a path or ffprobe output', async () => {
    const text = path.join(scratch, 'notes.mp4');
    fs.writeFileSync(text, 'just some text, not a video\n'.repeat(50));
    const damaged = path.join(scratch, 'damaged.mp4');
    const jfk = fs.readFileSync(sample('jfk.mp4'));
    fs.writeFileSync(damaged, Buffer.concat([jfk.subarray(0, 64), Buffer.alloc(20_000, 7)]));
    for (const file of [text, damaged]) {
      const response = await send('post', '/v1/jobs').field('to', 'es').attach('file', file);
      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA');
      expect(response.body.error.message).toMatch(/not a readable video or audio file/);
      expect(response.body.error.details).toBeUndefined();
      expect(response.body.requestId).toBe(response.headers['x-request-id']);
      expectNoLeak(response.text);
    }
    // The cause is in the API's log, under the same request id.
    expect(api.output()).toContain('request refused');
  });

  it('answers /health/ready without spawning a process per call, and shows details only to a caller with a key', async () => {
    const spawnsBefore = fs.existsSync(toolLog) ? fs.readFileSync(toolLog, 'utf8').split('\n').filter((line) => line.includes('-version')).length : 0;
    const anonymous = await Promise.all(Array.from({ length: 25 }, () => request(api.url).get('/health/ready')));
    for (const response of anonymous) {
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ready');
      for (const check of Object.values(response.body.checks) as Record<string, unknown>[]) expect(Object.keys(check)).toEqual(['ok']);
      expect(response.text).not.toMatch(/ffmpeg version|whisper|detail|\//i);
    }
    const spawnsAfter = fs.readFileSync(toolLog, 'utf8').split('\n').filter((line) => line.includes('-version')).length;
    // At most one ffmpeg and one ffprobe start for all 25 calls (none if the cached answer was fresh).
    expect(spawnsAfter - spawnsBefore).toBeLessThanOrEqual(2);
    const operator = await request(api.url).get('/health/ready').set('Authorization', `Bearer ${key}`);
    expect(operator.body.checks.ffmpeg.detail).toMatch(/ffmpeg version/);
    expect(operator.body.checks.models.detail).toContain('whisper');
  });
});

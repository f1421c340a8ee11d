import { expandRoutes } from '@babelfish/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApiKeyRepository, openDatabase, type DatabaseHandle } from '@babelfish/db';
import { createRedisConnection, engineCatalogueKeyPattern, readPublishedEngines } from '@babelfish/queue';
import type { Redis } from 'ioredis';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir, sample } from '../support/paths';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

/**
 * The API as deployed in containers: it has no translation tools of its own
 * (ENGINE_CATALOGUE=workers) and checks submissions against the engines that running translate
 * workers publish in Redis. A real API process, real translate-role worker processes (Apertium
 * eng-spa from this machine), real Redis; the worker's entry must vanish when it is killed.
 */

const ttlMs = 3000;
const video = sample('jfk.mp4');

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('engine catalogue: the API validates against what running workers publish', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-catalogue-'));
  const prefix = `test-catalogue-${randomUUID()}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    AUTH_MODE: 'api-key',
    ENGINE_CATALOGUE: 'workers',
    WORKER_ROLES: 'translate',
    WORKER_ENGINES_TTL_MS: String(ttlMs),
  };
  let api: ApiProcess;
  let keys: DatabaseHandle;
  let key: string;
  let redis: Redis;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    api = await spawnApi(env);
    keys = openDatabase(`file:${path.join(dataDir, 'babelfish.db')}`);
    key = (await createApiKeyRepository(keys.db).create({ ownerId: 'catalogue', name: 'test' })).key;
    redis = createRedisConnection(env.REDIS_URL!, 'babelfish-test-catalogue');
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await api?.stop();
    await keys?.close();
    const leftover = await redis.keys(`${prefix}:*`);
    if (leftover.length > 0) await redis.del(...leftover);
    redis.disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const submit = (to: string) => request(api.url).post('/v1/jobs').set('Authorization', `Bearer ${key}`).field('from', 'en').field('to', to).attach('file', video);
  const languages = () => request(api.url).get('/v1/languages').set('Authorization', `Bearer ${key}`);

  async function expectNoTranslateWorker(): Promise<void> {
    const submitted = await submit('es');
    expect(submitted.status).toBe(503);
    expect(submitted.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(submitted.body.error.message).toMatch(/No translate worker is running/);
    expect(Number(submitted.headers['retry-after'])).toBeGreaterThan(0);
  }

  it('answers 503 with Retry-After while no translate worker has published', async () => {
    await expectNoTranslateWorker();
    expect((await languages()).status).toBe(503);
  });

  it('offers what a translate worker publishes, refreshes it within the TTL, and refuses other pairs', async () => {
    workers.push(await spawnWorker(env, 60_000, { direct: true }));
    const [entry] = await readPublishedEngines(redis, prefix);
    console.log(`published by ${entry?.workerId}: ${JSON.stringify(entry?.engines.map((e) => `${e.engine}:${expandRoutes(e.routes).length}`))}`);
    expect(expandRoutes(entry?.engines.find((e) => e.engine === 'apertium')?.routes ?? [])).toEqual(expect.arrayContaining([{ from: 'en', to: 'es' }]));
    const [catalogueKey] = await redis.keys(engineCatalogueKeyPattern(prefix));
    const ttl = await redis.pttl(catalogueKey!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ttlMs);

    // Refreshed: a later entry replaces the first before it would have expired.
    const refreshed = await waitFor('a refreshed entry', async () => {
      const [later] = await readPublishedEngines(redis, prefix);
      return later && later.publishedAt !== entry!.publishedAt ? later : undefined;
    });
    expect(refreshed.workerId).toBe(entry!.workerId);

    const listed = await languages();
    expect(listed.status).toBe(200);
    expect(listed.body.engines).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'apertium', routes: expect.arrayContaining([{ from: ['en'], to: ['es'] }]) })]));

    const accepted = await submit('es');
    expect(accepted.status).toBe(202);
    expect(accepted.body.job.id).toEqual(expect.any(String));

    // Japanese: no engine of this worker does en → ja, so the catalogue refuses it with what it has.
    const refused = await submit('ja');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('UNSUPPORTED_LANGUAGE_PAIR');
    expect(refused.body.error.message).toMatch(/en→es \(apertium/);
  });

  it('stops offering a worker that was killed once its entry expires', async () => {
    const worker = workers.shift()!;
    await worker.stop('SIGKILL');
    await worker.exited;
    const started = Date.now();
    await waitFor('the killed worker’s entry to expire', async () => ((await redis.keys(engineCatalogueKeyPattern(prefix))).length === 0 ? true : undefined), ttlMs * 4);
    console.log(`entry of the SIGKILLed worker expired after ${Date.now() - started} ms (TTL ${ttlMs} ms)`);
    await expectNoTranslateWorker();
  });

  it('withdraws the entry at once when a worker stops gracefully', async () => {
    const worker = await spawnWorker(env, 60_000, { direct: true });
    expect((await submit('es')).status).toBe(202);
    await worker.stop('SIGTERM');
    expect(await redis.keys(engineCatalogueKeyPattern(prefix))).toEqual([]);
    await expectNoTranslateWorker();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { loadConfig, type Config } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { QueueName, createRedisConnection, webhookQueueName } from '@babelfish/queue';
import { createApiKeyRepository, openDatabase } from '@babelfish/db';
import request from 'supertest';
import { startApiServer, type ApiServer } from '../../apps/api/src/server';
import { modelsDir } from './paths';
import { spawnWorker, type WorkerProcess } from './worker-process';
import { watchJob } from './socket';

const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway PostgreSQL database per test file, dropped afterwards. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `babelfish_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`),
    drop: async () => {
      const client = new Client({ connectionString: postgresAdminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export type Stack = {
  config: Config;
  api: ApiServer;
  worker?: WorkerProcess;
  dataDir: string;
  /** An API key of owner "tester", made through the real key store. */
  apiKey: string;
  /** supertest bound to the API and authenticated with `apiKey` (or another key). */
  http: (apiKey?: string) => ReturnType<typeof request.agent>;
  createApiKey: (ownerId: string) => Promise<string>;
  stop: () => Promise<void>;
};

/**
 * The real service for a test file: the API in the test process (for supertest) and a worker
 * process with every role, as deployed; real Redis with a queue prefix of its own, real database,
 * real models from ../shared. (The worker runs outside Jest also because ONNX inference is
 * about 3× slower inside Jest's VM contexts.)
 */
/** `workerEnv`: settings for the worker process only, over `env` (an API and a worker set up differently). */
export async function startStack(options: { database: 'sqlite' | 'postgres'; env?: Record<string, string>; workerEnv?: Record<string, string>; worker?: boolean }): Promise<Stack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-e2e-'));
  const postgres = options.database === 'postgres' ? await createPostgresDatabase() : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${randomUUID()}`,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    JOB_ATTEMPTS: '2',
    AUTH_MODE: 'api-key',
    // The API checks pairs with this machine's engines (Apertium, models), so API-only stacks and
    // tests that stop their worker still submit; the workers' catalogue has its own tests.
    ENGINE_CATALOGUE: 'local',
    ...options.env,
  };
  const config = loadConfig(env);
  const logger = createLogger('test', config.logLevel);
  // Without a worker, submitted jobs just wait in the queue (API-only tests, load tests).
  const worker = options.worker === false ? undefined : await spawnWorker({ ...env, ...options.workerEnv });
  const api = await startApiServer(config, logger);
  const keyStore = openDatabase(config.databaseUrl);
  const createApiKey = async (ownerId: string) => (await createApiKeyRepository(keyStore.db).create({ ownerId, name: 'test' })).key;
  const apiKey = await createApiKey('tester');
  return {
    config,
    api,
    worker,
    dataDir,
    apiKey,
    createApiKey,
    http: (key = apiKey) => request.agent(api.url).set('Authorization', `Bearer ${key}`),
    async stop() {
      await api.close();
      await keyStore.close();
      await worker?.stop();
      await obliterateQueues(config);
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function obliterateQueues(config: Config): Promise<void> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-test-cleanup');
  for (const name of [...Object.values(QueueName), webhookQueueName]) {
    const queue = new Queue(String(name), { connection, prefix: config.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  connection.disconnect();
}

/** Downloads one of the stack's URLs (an output, a track) with a key into `dir/name`. */
export async function downloadTo(stack: Stack, url: string, dir: string, name: string, apiKey = stack.apiKey): Promise<string> {
  const response = await fetch(stack.api.url + url, { headers: { Authorization: `Bearer ${apiKey}` } });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

/** Submits a video as `apiKey`'s owner and waits until the job ends; returns its id and last event. */
export async function submitAndWait(stack: Stack, apiKey: string, file: string, fields: { to: string; from?: string } & Record<string, string | undefined>) {
  let submission = stack.http(apiKey).post('/v1/jobs');
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) submission = submission.field(name, value);
  const submitted = await submission.attach('file', file);
  if (submitted.status !== 202) throw new Error(`submission answered ${submitted.status}: ${submitted.text}`);
  const jobId = submitted.body.job.id as string;
  const watch = await watchJob(stack.api.url, jobId, { apiKey });
  const last = await watch.finished;
  watch.close();
  return { jobId, last };
}

/** Submits a video and waits until the job completes (throws if it fails); returns its id. */
export async function submitAndComplete(stack: Stack, apiKey: string, file: string, fields: { to: string; from?: string } & Record<string, string | undefined>): Promise<string> {
  const { jobId, last } = await submitAndWait(stack, apiKey, file, fields);
  if (last.status !== 'completed') throw new Error(`job ${jobId} ended ${last.status}: ${JSON.stringify(last)}`);
  return jobId;
}

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '@babelfish/config';
import { createJobRepository, migrateToLatest, openDatabase, type DatabaseHandle, type JobRecord, type JobRepository } from '@babelfish/db';
import { probeMedia, summarizeMedia } from '@babelfish/media';
import { bullJobId, createJobQueues, createRedisConnection, QueueName, type JobQueues } from '@babelfish/queue';
import { createLocalStorage, storageKeys, type Storage } from '@babelfish/storage';
import { modelsDir } from './paths';
import { spawnWorker, type WorkerProcess } from './worker-process';

/**
 * Helpers for the reliability tests (tests/reliability): a worker environment of its own (data
 * dir, queue prefix), jobs submitted the way the API does it (probe, store, job row, queue) but
 * without an HTTP server, a private redis-server, and long speech videos made with ffmpeg.
 */

export type ReliabilityEnv = { env: Record<string, string>; config: Config; dataDir: string; cleanup: () => void };

/** Environment for worker processes and for this test process: own data dir and queue prefix, SQLite. */
export function reliabilityEnv(overrides: Record<string, string> = {}): ReliabilityEnv {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-reliability-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-rel-${randomUUID()}`,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    JOB_ATTEMPTS: '2',
    ...overrides,
  };
  return { env, config: loadConfig(env), dataDir, cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

export type ReliabilitySuite = {
  setup: ReliabilityEnv;
  /** A folder for the suite's made-up videos, removed after it. */
  scratch: string;
  /** Opened in beforeAll. */
  readonly store: JobStore;
  /** stalled / failed / completed / active events of every stage queue since beforeAll. */
  readonly queueEvents: QueueEventLog;
  /** Workers started so far (each is stopped after the suite). */
  workers: WorkerProcess[];
  /** A worker process run as `node --import tsx`, so that a signal sent to it reaches the worker itself. */
  startWorker(timeoutMs?: number): Promise<WorkerProcess>;
};

/**
 * The set-up every reliability suite shares, registered as its beforeAll / afterAll: its own
 * environment, the job store and queues, a log of queue events, and the workers it starts,
 * stopped afterwards with `stopWith` (SIGKILL unless said otherwise), queues obliterated.
 */
export function useReliabilitySuite(overrides: Record<string, string> = {}, options: { stopWith?: NodeJS.Signals } = {}): ReliabilitySuite {
  const setup = reliabilityEnv(overrides);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-reliability-scratch-'));
  const workers: WorkerProcess[] = [];
  let store: JobStore | undefined;
  let queueEvents: QueueEventLog | undefined;
  beforeAll(async () => {
    store = await openJobStore(setup.config);
    queueEvents = await recordQueueEvents(setup.config);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop(options.stopWith ?? 'SIGKILL');
    await queueEvents?.close();
    await store?.close();
    await obliterateQueues(setup.config);
    setup.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is opened in beforeAll`);
    return value;
  };
  return {
    setup,
    scratch,
    workers,
    get store() {
      return opened(store, 'the job store');
    },
    get queueEvents() {
      return opened(queueEvents, 'the queue event log');
    },
    async startWorker(timeoutMs = 60_000) {
      const worker = await spawnWorker(setup.env, timeoutMs, { direct: true });
      workers.push(worker);
      return worker;
    },
  };
}

export type JobStore = {
  jobs: JobRepository;
  storage: Storage;
  queues: JobQueues;
  connection: Redis;
  database: DatabaseHandle;
  close: () => Promise<void>;
};

/** The job row store, media storage and queues the API uses, opened on the test's config. */
export async function openJobStore(config: Config): Promise<JobStore> {
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const connection = createRedisConnection(config.redisUrl, 'babelfish-test-producer');
  connection.on('error', () => undefined); // reconnecting while a private Redis restarts
  const queues = createJobQueues({ connection, prefix: config.queuePrefix, attempts: config.worker.attempts, onError: () => undefined });
  return {
    jobs: createJobRepository(database.db),
    storage: createLocalStorage(config.storage.dir),
    queues,
    connection,
    database,
    async close() {
      await queues.close();
      connection.disconnect();
      await database.close();
    },
  };
}

/**
 * What POST /v1/jobs does once the upload is received: probe, store the input, write the row,
 * queue transcription. No content hash is recorded, so every job really runs Whisper (the
 * same-bytes transcript reuse never applies).
 */
export async function submitJob(store: JobStore, file: string, plan: { from?: string; to: string[] }): Promise<string> {
  const media = await probeMedia(file);
  const id = randomUUID();
  await store.storage.putFile(storageKeys.input(id), file);
  const job = await store.jobs.create({
    id,
    sourceLanguage: plan.from ?? null,
    targetLanguages: plan.to,
    originalName: path.basename(file),
    inputKey: storageKeys.input(id),
    mediaDuration: media.durationSeconds,
    media: summarizeMedia(media, { from: plan.from }),
  });
  await store.queues.enqueueTranscription({ jobId: id, run: job.runs });
  return id;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls the job row until it is completed or failed; records every status it saw on the way. */
export async function waitForJobEnd(store: JobStore, jobId: string, timeoutMs: number, seen?: Set<string>): Promise<JobRecord> {
  return waitFor(
    `job ${jobId} to finish`,
    async () => {
      const job = await store.jobs.get(jobId);
      if (job) seen?.add(job.status);
      return job && (job.status === 'completed' || job.status === 'failed') ? job : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The BullMQ job of a job's transcription (first run), to read its state and counters. */
export async function transcribeBullJob(config: Config, jobId: string): Promise<{ job: Job | undefined; state: string }> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-test-inspect');
  const queue = new Queue(QueueName.Transcribe, { connection, prefix: config.queuePrefix });
  try {
    const job = await Job.fromId(queue, bullJobId.transcribe(jobId, 1));
    return { job, state: job ? await job.getState() : 'missing' };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export type QueueEventLog = { events: { queue: string; event: string; jobId: string }[]; close: () => Promise<void> };

/** Listens to every stage queue's event stream (QueueEvents) and records stalled/failed/completed. */
export async function recordQueueEvents(config: Config): Promise<QueueEventLog> {
  const events: QueueEventLog['events'] = [];
  const listeners = Object.values(QueueName).map((name) => {
    const queueEvents = new QueueEvents(name, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
    queueEvents.on('error', () => undefined);
    for (const event of ['stalled', 'failed', 'completed', 'active'] as const) {
      queueEvents.on(event, ({ jobId }: { jobId: string }) => events.push({ queue: name, event, jobId }));
    }
    return queueEvents;
  });
  await Promise.all(listeners.map((listener) => listener.waitUntilReady()));
  return { events, close: async () => void (await Promise.all(listeners.map((listener) => listener.close()))) };
}

export async function obliterateQueues(config: Config): Promise<void> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-test-cleanup');
  connection.on('error', () => undefined);
  for (const name of Object.values(QueueName)) {
    const queue = new Queue(String(name), { connection, prefix: config.queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  connection.disconnect();
}

/** `file`: the sample's audio and video repeated `times` times (stream copy, no re-encode). */
export function loopVideo(sample: string, file: string, times: number): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(times - 1), '-i', sample, '-c', 'copy', file]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type PrivateRedis = {
  url: string;
  port: number;
  dir: string;
  process: () => ChildProcess;
  /** Kills the server (SIGKILL by default: no chance to write anything more) and waits for it to exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts it again on the same port and data dir. */
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * A redis-server of the test's own, on a free port, persisting to `dir` with the given settings
 * (the shared Redis on 6379 serves other tests and must never be restarted).
 */
export async function startPrivateRedis(dir: string, settings: string[]): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...settings], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 15_000);
      server.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const server = child;
    if (!server || server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: () => child!,
    kill,
    start,
    stop: () => kill('SIGTERM'),
  };
}

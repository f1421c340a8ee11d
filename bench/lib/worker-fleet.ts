import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { loadConfig, type Config } from '@babelfish/config';
import { createJobRepository, migrateToLatest, openDatabase, type JobRepository } from '@babelfish/db';
import { probeMedia, summarizeMedia } from '@babelfish/media';
import { bullJobId, createJobQueues, createRedisConnection, QueueName } from '@babelfish/queue';
import { createLocalStorage, storageKeys, type Storage } from '@babelfish/storage';
import { modelsDir } from './fixtures';

/**
 * Real worker processes (apps/worker, as `pnpm worker` runs it) on the real Redis with a queue
 * prefix of their own and a throw-away SQLite + local storage; jobs are submitted the way the
 * API does it (probe, store, row, queue) without an HTTP server.
 */

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** `spawnedAt` / `readyAt`: when the process was started and when it logged "worker started" (ms since the epoch). */
export type WorkerProcess = { child: ChildProcess; output: () => string; spawnedAt: number; readyAt: number };
export type Fleet = {
  config: Config;
  jobs: JobRepository;
  storage: Storage;
  workers: WorkerProcess[];
  submit: (file: string, plan: { from?: string; to: string[] }) => Promise<string>;
  /** One more worker process, with these settings on top of the fleet's (resolves once it has started). */
  addWorker: (overrides?: Record<string, string>) => Promise<WorkerProcess>;
  stop: () => Promise<void>;
};

/**
 * `root`: the checkout the workers run from (default: this one; a benchmark may run an older tree).
 * `compiled`: run the workers as the images do, `node dist/worker.js` (build it first: scripts/build-dist.mjs).
 */
export async function startFleet(workers: number, overrides: Record<string, string>, options: { root?: string; compiled?: boolean; sourceMaps?: boolean } = {}): Promise<Fleet> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-bench-fleet-'));
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench-${randomUUID()}`,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    WORKER_ROLES: 'transcribe',
    ...overrides,
  };
  const config = loadConfig(env);
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const connection = createRedisConnection(config.redisUrl, 'babelfish-bench-producer');
  const queues = createJobQueues({ connection, prefix: config.queuePrefix, attempts: 1 });
  const jobs = createJobRepository(database.db);
  const storage = createLocalStorage(config.storage.dir);
  const root = options.root ?? repoRoot;
  const started = await Promise.all(Array.from({ length: workers }, () => spawnWorker(env, root, options.compiled, options.sourceMaps)));
  return {
    config,
    jobs,
    storage,
    workers: started,
    async submit(file, plan) {
      const id = randomUUID();
      const media = await probeMedia(file);
      await storage.putFile(storageKeys.input(id), file);
      const job = await jobs.create({
        id,
        sourceLanguage: plan.from ?? null,
        targetLanguages: plan.to,
        originalName: path.basename(file),
        inputKey: storageKeys.input(id),
        mediaDuration: media.durationSeconds,
        media: summarizeMedia(media),
      });
      await queues.enqueueTranscription({ jobId: id, run: job.runs });
      return id;
    },
    async addWorker(more = {}) {
      const worker = await spawnWorker({ ...env, ...more }, root, options.compiled, options.sourceMaps);
      started.push(worker);
      return worker;
    },
    async stop() {
      for (const worker of started) worker.child.kill('SIGKILL');
      await Promise.all(Object.values(queues.queues).map((queue) => queue.obliterate({ force: true })));
      await queues.close();
      connection.disconnect();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `node --import tsx` directly (not the tsx CLI), so the pid is the worker's own; or node on dist/. */
async function spawnWorker(env: Record<string, string>, root: string, compiled = false, sourceMaps = true): Promise<WorkerProcess> {
  const spawnedAt = Date.now();
  const args = compiled ? [...(sourceMaps ? ['--enable-source-maps'] : []), 'dist/worker.js'] : ['--import', 'tsx', '--conditions=development', 'apps/worker/src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let readyAt = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!readyAt && output.includes('"message":"worker started"')) {
        readyAt = Date.now();
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, spawnedAt, readyAt };
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type TranscribeTimeline = { first: Job; chunks: Job[]; merge?: Job };

/** The BullMQ jobs of a job's transcription (first run): the whole-file job, its chunks and merge. */
export async function transcribeTimeline(config: Config, jobId: string, chunkCount: number): Promise<TranscribeTimeline> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-bench-inspect');
  const queue = new Queue(QueueName.Transcribe, { connection, prefix: config.queuePrefix });
  try {
    const first = await Job.fromId(queue, bullJobId.transcribe(jobId, 1));
    const chunks = await Promise.all(Array.from({ length: chunkCount }, (_, i) => Job.fromId(queue, bullJobId.transcribeChunk(jobId, 1, i))));
    const merge = await Job.fromId(queue, bullJobId.transcribeMerge(jobId, 1));
    if (!first) throw new Error(`no transcribe job for ${jobId}`);
    return { first, chunks: chunks.filter((job): job is Job => job !== undefined), merge };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** Resolves with the transcription's timeline once the merge (or, unsplit, the job itself) has completed. */
export async function waitForTranscript(config: Config, jobId: string, timeoutMs: number): Promise<TranscribeTimeline> {
  return waitFor(
    `transcription of ${jobId}`,
    async () => {
      const timeline = await transcribeTimeline(config, jobId, 0);
      const result = timeline.first.returnvalue as { chunks?: number } | null;
      if (timeline.first.failedReason) throw new Error(`transcription failed: ${timeline.first.failedReason}`);
      if (!timeline.first.finishedOn) return undefined;
      if (!result?.chunks) return timeline;
      if (timeline.merge?.failedReason) throw new Error(`merge failed: ${timeline.merge.failedReason}`);
      return timeline.merge?.finishedOn ? transcribeTimeline(config, jobId, result.chunks) : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The most chunks that were running at the same moment (parallelism actually achieved). */
export function maxConcurrent(jobs: Job[]): number {
  const events = jobs.flatMap((job) => [
    { at: job.processedOn ?? 0, delta: 1 },
    { at: job.finishedOn ?? 0, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const event of events) {
    running += event.delta;
    most = Math.max(most, running);
  }
  return most;
}

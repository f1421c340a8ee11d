import { Job, Queue } from 'bullmq';
import type { Config } from '@babelfish/config';
import { bullJobId, createRedisConnection, QueueName } from '@babelfish/queue';
import { openJobStore, reliabilityEnv, submitJob, waitFor, obliterateQueues, type JobStore, type ReliabilityEnv } from '../../tests/support/reliability';
import { spawnWorker, type WorkerProcess } from '../../tests/support/worker-process';

/**
 * Real worker processes on the real Redis (own queue prefix), jobs submitted the way the API
 * does it: the harness of tests/reliability, reused for the benchmarks that need workers.
 */

export type Fleet = { setup: ReliabilityEnv; store: JobStore; workers: WorkerProcess[]; stop: () => Promise<void> };

export async function startFleet(workers: number, env: Record<string, string>): Promise<Fleet> {
  const setup = reliabilityEnv({ LOG_LEVEL: 'info', WORKER_ROLES: 'transcribe', ...env });
  const store = await openJobStore(setup.config);
  const started = await Promise.all(Array.from({ length: workers }, () => spawnWorker(setup.env, 120_000, { direct: true })));
  return {
    setup,
    store,
    workers: started,
    async stop() {
      for (const worker of started) await worker.stop('SIGKILL');
      await store.close();
      await obliterateQueues(setup.config);
      setup.cleanup();
    },
  };
}

export { submitJob, waitFor };

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

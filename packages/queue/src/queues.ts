import { FlowProducer, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullJobId, JobPriority, QueueName, type JobDataByQueue, type TranscribeChunkJobData, type TranscribeJobData, type TranscribeMergeJobData } from './catalogue';

export type QueueSettings = {
  connection: Redis;
  prefix: string;
  attempts: number;
  /** Connection errors (Redis restarting, unreachable) while the client retries; printed with console.error when absent. */
  onError?: (error: Error) => void;
};

export type JobQueues = ReturnType<typeof createJobQueues>;

export function defaultJobOptions(attempts: number): JobsOptions {
  return {
    attempts,
    // Transient faults (Redis blip, OOM-killed ffmpeg) retry after 2 s, 4 s, 8 s…
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    priority: JobPriority.bulk,
  };
}

export function createJobQueues(settings: QueueSettings) {
  const common = { connection: settings.connection, prefix: settings.prefix };
  const options = defaultJobOptions(settings.attempts);
  const queues = {
    transcribe: new Queue<JobDataByQueue['transcribe']>(QueueName.Transcribe, { ...common, defaultJobOptions: options }),
    translate: new Queue<JobDataByQueue['translate']>(QueueName.Translate, { ...common, defaultJobOptions: options }),
    mux: new Queue<JobDataByQueue['mux']>(QueueName.Mux, { ...common, defaultJobOptions: options }),
  };
  const flows = new FlowProducer(common);
  if (settings.onError) {
    queues.transcribe.on('error', settings.onError);
    queues.translate.on('error', settings.onError);
    queues.mux.on('error', settings.onError);
    flows.on('error', settings.onError);
  }

  return {
    queues,

    async enqueueTranscription(data: TranscribeJobData, priority: JobPriority = JobPriority.bulk): Promise<void> {
      await queues.transcribe.add(QueueName.Transcribe, data, { ...options, priority, jobId: bullJobId.transcribe(data.jobId, data.run) });
    },

    /**
     * The chunks of one recording as children of a merge job, all on the transcribe queue. A
     * chunk that fails for good fails the merge; ids are deterministic, so a transcribe job that
     * is run again (after a crash) re-adds nothing.
     */
    async enqueueChunkedTranscription(merge: TranscribeMergeJobData, chunks: TranscribeChunkJobData[]): Promise<void> {
      await flows.add({
        name: 'transcribe-merge',
        queueName: QueueName.Transcribe,
        data: merge,
        opts: { ...options, jobId: bullJobId.transcribeMerge(merge.jobId, merge.run) },
        children: chunks.map((chunk) => ({
          name: 'transcribe-chunk',
          queueName: QueueName.Transcribe,
          data: chunk,
          opts: { ...options, jobId: bullJobId.transcribeChunk(chunk.jobId, chunk.run, chunk.index), failParentOnFailure: true },
        })),
      });
    },

    /** Re-mux only (after a subtitle edit): the latest subtitle versions are read when it runs. */
    async enqueueMux(jobId: string, run: number, priority: JobPriority = JobPriority.bulk): Promise<void> {
      await queues.mux.add(QueueName.Mux, { jobId, run }, { ...options, priority, jobId: bullJobId.mux(jobId, run) });
    },

    /** Translate once per language, then mux; a child that fails for good fails the mux parent. */
    async enqueueTranslationFlow(jobId: string, languages: string[], run = 1, priority: JobPriority = JobPriority.bulk): Promise<void> {
      await flows.add({
        name: QueueName.Mux,
        queueName: QueueName.Mux,
        data: { jobId, run },
        opts: { ...options, priority, jobId: bullJobId.mux(jobId, run) },
        children: languages.map((language) => ({
          name: QueueName.Translate,
          queueName: QueueName.Translate,
          data: { jobId, language },
          opts: { ...options, priority, jobId: bullJobId.translate(jobId, language, run), failParentOnFailure: true },
        })),
      });
    },
    /**
     * Takes a canceled job's entries of one run out of the queues while they wait. An entry a
     * worker already holds (locked) cannot be removed: the worker stops it itself (cancellation
     * announcement, job row). Returns how many were removed.
     */
    async removeWaiting(jobId: string, run: number, languages: readonly string[]): Promise<number> {
      const entries = [
        [queues.transcribe, bullJobId.transcribe(jobId, run)],
        // A long recording's chunks hang under their merge job: removing it takes the waiting ones.
        [queues.transcribe, bullJobId.transcribeMerge(jobId, run)],
        ...languages.map((language) => [queues.translate, bullJobId.translate(jobId, language, run)] as const),
        [queues.mux, bullJobId.mux(jobId, run)],
      ] as const;
      let removed = 0;
      for (const [queue, id] of entries) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        if (!job || !['waiting', 'prioritized', 'waiting-children', 'delayed'].includes(state)) continue;
        // A removed parent takes its children with it; a locked child makes the removal fail.
        if (await job.remove({ removeChildren: true }).then(() => true, () => false)) {
          removed++;
          continue;
        }
        // A chunk is running (locked): the parent stays for it, its waiting siblings go. The
        // running one is stopped by its worker and fails the merge, or ends and the merge skips.
        const before = await job.getDependenciesCount({ unprocessed: true });
        await job.removeUnprocessedChildren().catch(() => undefined);
        const after = await job.getDependenciesCount({ unprocessed: true });
        removed += Math.max(0, (before.unprocessed ?? 0) - (after.unprocessed ?? 0));
      }
      return removed;
    },

    async depth(): Promise<Record<string, number>> {
      const entries = await Promise.all(
        Object.entries(queues).map(async ([name, queue]) => [name, await queue.count()] as const),
      );
      return Object.fromEntries(entries);
    },

    async close(): Promise<void> {
      await Promise.all([...Object.values(queues).map((queue) => queue.close()), flows.close()]);
    },
  };
}

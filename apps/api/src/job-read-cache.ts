import type { JobRecord, JobRepository } from '@babelfish/db';

/**
 * How long a job read is reused at most. Changes announced on the progress channel (every stage
 * step, completion, failure, cancellation) and writes made through this process end it at once;
 * the TTL only bounds how stale a job can look after a change nobody announced (a worker setting
 * a detail between two progress events, another replica's retry).
 */
export const JOB_READ_CACHE_TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

/** The repository's methods that only read; any other method is treated as a write. */
const readOnlyMethods = new Set<string>(['get', 'list', 'findSameContent', 'countByStatus', 'listOutputs', 'getOutput']);

export type JobReadCache = {
  /** The job as read at most the TTL ago and not changed since as far as this process knows. */
  get(id: string): Promise<JobRecord | undefined>;
  /** Forgets one job (a progress event for it arrived), or every job. */
  invalidate(jobId?: string): void;
  /** The same repository, each of its writes forgetting the jobs it may have changed. */
  repository: JobRepository;
};

/**
 * Status reads of one job by many clients (a dashboard, a CLI, an integration polling) share one
 * database read: 200 clients polling a job cost one query a second instead of thousands. Reads
 * in flight are shared too. A missing job is not remembered (it may be created a moment later).
 */
export function createJobReadCache(jobs: JobRepository, options: { ttlMs?: number; now?: () => number } = {}): JobReadCache {
  const ttlMs = options.ttlMs ?? JOB_READ_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { until: number; job: Promise<JobRecord | undefined> }>();

  const invalidate = (jobId?: string) => {
    if (jobId === undefined) entries.clear();
    else entries.delete(jobId);
  };

  const get = (id: string): Promise<JobRecord | undefined> => {
    const entry = entries.get(id);
    if (entry && entry.until > now()) return entry.job;
    if (entries.size >= MAX_ENTRIES) entries.clear();
    const job = jobs.get(id);
    const created = { until: now() + ttlMs, job };
    entries.set(id, created);
    // Neither a failure nor a miss is remembered; an invalidation meanwhile has removed the entry.
    const forgetIfStill = () => {
      if (entries.get(id) === created) entries.delete(id);
    };
    job.then((found) => found ?? forgetIfStill(), forgetIfStill);
    return job;
  };

  // A write invalidates after it has finished: an entry made before then (a read racing the write)
  // may hold the old row; one made after reads the new one.
  const repository = Object.fromEntries(
    Object.entries(jobs).map(([name, method]) => {
      if (typeof method !== 'function' || readOnlyMethods.has(name)) return [name, method];
      const write = method as (...args: unknown[]) => Promise<unknown>;
      return [
        name,
        async (...args: unknown[]) => {
          try {
            return await write.apply(jobs, args);
          } finally {
            invalidate(typeof args[0] === 'string' ? args[0] : undefined);
          }
        },
      ];
    }),
  ) as JobRepository;

  return { get, invalidate, repository };
}

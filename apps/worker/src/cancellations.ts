/**
 * The transcriptions this worker process is running, by job id, so that a cancellation
 * announced on Redis (the waiting client went away) reaches the one running it. Whisper stops
 * before its next batch of windows; the steps after it check the job row when they start.
 */
export function createCancellations() {
  const running = new Map<string, Set<AbortController>>();
  return {
    async run<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
      const controller = new AbortController();
      const set = running.get(jobId) ?? new Set<AbortController>();
      set.add(controller);
      running.set(jobId, set);
      try {
        return await work(controller.signal);
      } finally {
        set.delete(controller);
        if (set.size === 0) running.delete(jobId);
      }
    },
    /** Stops everything running here (the worker is shutting down); returns how many were stopped. */
    abortAll(): number {
      let stopped = 0;
      for (const set of running.values()) {
        for (const controller of set) {
          controller.abort();
          stopped++;
        }
      }
      return stopped;
    },
    /** True when this process was running something of the job. */
    cancel(jobId: string): boolean {
      const set = running.get(jobId);
      for (const controller of set ?? []) controller.abort();
      return set !== undefined;
    },
  };
}

export type Cancellations = ReturnType<typeof createCancellations>;

/**
 * The stages this worker process is running, by job id, so that a cancellation announced on
 * Redis (its owner canceled it, or the waiting client went away) reaches the one running it.
 * Whisper stops before its next batch of windows, ffmpeg is killed, translation engines stop
 * (llm requests aborted); the steps after them check the job row when they start.
 */
type Running = { controller: AbortController; onShutdown: 'abort' | 'finish' };

export function createCancellations() {
  const running = new Map<string, Set<Running>>();
  return {
    /** `onShutdown: 'finish'`: abortAll (SIGTERM) leaves this one running; only a cancel stops it. */
    async run<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>, options: { onShutdown?: 'abort' | 'finish' } = {}): Promise<T> {
      const entry: Running = { controller: new AbortController(), onShutdown: options.onShutdown ?? 'abort' };
      const set = running.get(jobId) ?? new Set<Running>();
      set.add(entry);
      running.set(jobId, set);
      try {
        return await work(entry.controller.signal);
      } finally {
        set.delete(entry);
        if (set.size === 0) running.delete(jobId);
      }
    },
    /** Stops everything running here (the worker is shutting down); returns how many were stopped. */
    abortAll(): number {
      let stopped = 0;
      for (const set of running.values()) {
        for (const entry of set) {
          if (entry.onShutdown === 'finish') continue;
          entry.controller.abort();
          stopped++;
        }
      }
      return stopped;
    },
    /** True when this process was running something of the job. */
    cancel(jobId: string): boolean {
      const set = running.get(jobId);
      for (const entry of set ?? []) entry.controller.abort();
      return set !== undefined;
    },
  };
}

export type Cancellations = ReturnType<typeof createCancellations>;

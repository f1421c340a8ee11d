import { isTerminalStatus, type ProgressEvent } from '@babelfish/core';
import type { JobRecord, JobRepository } from '@babelfish/db';

/** How often a waiting request re-reads its job row, in case a completion event was missed. */
const RECHECK_MS = 15_000;

const ended = (job: JobRecord | undefined) => !job || isTerminalStatus(job.status);

/**
 * Lets an HTTP request wait for its job to end. The workers' progress events (relayed from Redis
 * by realtime.ts) wake a waiter when its job completes or fails; the job row is the truth, so it
 * is read when waiting starts (the job may have ended before the listener was in place) and
 * again on every wake-up and, rarely, on a timer (an event lost while Redis was away).
 */
export function createJobWaiter(jobs: JobRepository) {
  const listeners = new Map<string, Set<() => void>>();
  return {
    /** Called with every progress event this API process receives. */
    notify(event: ProgressEvent): void {
      if (!isTerminalStatus(event.status)) return;
      for (const wake of listeners.get(event.jobId) ?? []) wake();
    },

    /**
     * Resolves with the ended job (undefined if it was deleted), or rejects with `signal`'s reason
     * once it aborts (client gone, time limit).
     */
    waitForEnd(jobId: string, signal: AbortSignal): Promise<JobRecord | undefined> {
      return new Promise((resolve, reject) => {
        let checking = false;
        let again = false;
        const set = listeners.get(jobId) ?? new Set<() => void>();
        listeners.set(jobId, set);
        const finish = () => {
          clearInterval(timer);
          signal.removeEventListener('abort', onAbort);
          set.delete(check);
          if (set.size === 0) listeners.delete(jobId);
        };
        const check = () => {
          // One read at a time; a wake-up during a read asks for one more.
          if (checking) {
            again = true;
            return;
          }
          checking = true;
          jobs.get(jobId).then(
            (job) => {
              checking = false;
              if (ended(job)) {
                finish();
                resolve(job);
              } else if (again) {
                again = false;
                check();
              }
            },
            (error: unknown) => {
              checking = false;
              finish();
              reject(error);
            },
          );
        };
        const onAbort = () => {
          finish();
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        const timer = setInterval(check, RECHECK_MS);
        timer.unref();
        set.add(check);
        check();
      });
    },
  };
}

export type JobWaiter = ReturnType<typeof createJobWaiter>;

import type { Redis } from 'ioredis';

/**
 * Jobs called off (a client waiting for a transcription went away) are announced on one channel
 * per deployment, so the worker running one stops it at its next window or stage boundary. The
 * job row stays the source of truth: it is marked failed ("Canceled: …") before the
 * announcement, and workers also check it when a stage starts, which covers a missed message.
 */
export function jobCancellationChannel(prefix: string): string {
  return `${prefix}:job-canceled`;
}

const jobIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function announceJobCanceled(connection: Redis, prefix: string, jobId: string): Promise<void> {
  await connection.publish(jobCancellationChannel(prefix), jobId);
}

/** `subscriber` is a dedicated (subscribed) connection; it may carry other channels too. */
export async function subscribeToJobCancellations(subscriber: Redis, prefix: string, onCanceled: (jobId: string) => void): Promise<() => Promise<void>> {
  const channel = jobCancellationChannel(prefix);
  const listener = (from: string, message: string) => {
    if (from === channel && jobIdPattern.test(message)) onCanceled(message);
  };
  subscriber.on('message', listener);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off('message', listener);
    await subscriber.unsubscribe(channel);
  };
}

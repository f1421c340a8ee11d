import { Queue } from 'bullmq';
import type { Config } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { QueueName, createRedisConnection } from '@babelfish/queue';
import { startApiServer, type ApiServer } from '../../apps/api/src/server';

/** The BullMQ priority of a Babelfish job's transcribe entry while it waits; undefined once it is no longer waiting. */
export async function waitingPriority(config: Config, jobId: string): Promise<number | undefined> {
  const connection = createRedisConnection(config.redisUrl, 'babelfish-test-priority');
  const queue = new Queue(QueueName.Transcribe, { connection, prefix: config.queuePrefix });
  try {
    const waiting = await queue.getJobs(['prioritized', 'waiting']);
    return waiting.find((entry) => (entry.data as { jobId?: string }).jobId === jobId)?.opts.priority;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** A second API on the stack's database and queue, so the stack's worker runs its jobs. */
function startSecondApi(config: Config): Promise<ApiServer> {
  return startApiServer(config, createLogger('test', 'warn'));
}

/** A second API with low limits: uploads over 300 kB, media over 5 s, or a fourth submission a minute per key are refused. */
export function startLimitedApi(config: Config): Promise<ApiServer> {
  return startSecondApi({
    ...config,
    http: { ...config.http, maxUploadBytes: 300_000, maxDurationSeconds: 5 },
    rateLimits: { ...config.rateLimits, submitPerMinute: 3 },
  });
}

/** A second API whose compatible routes wait `waitSeconds` at most (COMPAT_WAIT_SECONDS). */
export function startImpatientApi(config: Config, waitSeconds: number): Promise<ApiServer> {
  return startSecondApi({ ...config, compat: { ...config.compat, waitSeconds } });
}

import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { JobPriority, QueueName } from './catalogue';
import { createRedisConnection } from './connection';
import { announceJobCanceled, subscribeToJobCancellations } from './job-cancellations';
import { createJobQueues } from './queues';

// Real BullMQ on the local Redis, a prefix of its own per run.
describe('job priorities and cancellation', () => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const connection = createRedisConnection(url, 'priority-test');
  const prefix = `bf-priority-${randomUUID().slice(0, 8)}`;
  const jobQueues = createJobQueues({ connection, prefix, attempts: 1 });
  afterAll(async () => {
    await Promise.all(Object.values(jobQueues.queues).map((queue) => queue.obliterate({ force: true })));
    await jobQueues.close();
    connection.disconnect();
  });

  it('serves a waiting client’s transcription before bulk jobs queued earlier', async () => {
    for (const n of [1, 2, 3]) await jobQueues.enqueueTranscription({ jobId: `bulk-${n}`, run: 1 });
    await jobQueues.enqueueTranscription({ jobId: 'interactive', run: 1 }, JobPriority.interactive);
    const order: string[] = [];
    const workerConnection = createRedisConnection(url, 'priority-test-worker');
    const done = new Promise<void>((resolve) => {
      const worker = new Worker(
        QueueName.Transcribe,
        async (job) => {
          order.push((job.data as { jobId: string }).jobId);
          if (order.length === 4) setImmediate(() => void worker.close().then(resolve));
        },
        { connection: workerConnection, prefix },
      );
    });
    await done;
    workerConnection.disconnect();
    expect(order).toEqual(['interactive', 'bulk-1', 'bulk-2', 'bulk-3']);
  });

  it('removes a canceled job’s waiting entries (a translation flow with its parent) and announces the cancellation', async () => {
    await jobQueues.enqueueTranslationFlow('canceled-job', ['es', 'fr'], 2, JobPriority.interactive);
    expect(await jobQueues.depth()).toMatchObject({ translate: 2, mux: 1 });
    expect(await jobQueues.removeWaiting('canceled-job', 2, ['es', 'fr'])).toBeGreaterThanOrEqual(1);
    expect(await jobQueues.depth()).toMatchObject({ translate: 0, mux: 0 });

    const subscriber = createRedisConnection(url, 'priority-test-subscriber');
    const heard: string[] = [];
    const stop = await subscribeToJobCancellations(subscriber, prefix, (jobId) => heard.push(jobId));
    const jobId = randomUUID();
    await announceJobCanceled(connection, prefix, 'not-a-job-id');
    await announceJobCanceled(connection, prefix, jobId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stop();
    subscriber.disconnect();
    expect(heard).toEqual([jobId]);
  });
});

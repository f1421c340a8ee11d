import { randomUUID } from 'node:crypto';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { createRedisConnection } from './connection';
import { createJobQueues } from './queues';
import { queueDepthMetricData, startQueueDepthPublisher } from './queue-depth-metric';

// Real BullMQ queues on the local Redis (own prefix); only CloudWatch is replaced by a recorder.
describe('queue depth metric (Babelfish/QueueDepth, Queue=<role>)', () => {
  const connection = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'queue-depth-test');
  const prefix = `bf-depth-${randomUUID().slice(0, 8)}`;
  const jobQueues = createJobQueues({ connection, prefix, attempts: 1 });
  afterAll(async () => {
    await Promise.all(Object.values(jobQueues.queues).map((queue) => queue.obliterate({ force: true })));
    await jobQueues.close();
    connection.disconnect();
  });

  it('publishes waiting jobs per role, leaving out delayed retries and mux parents that wait for children', async () => {
    for (const n of [1, 2, 3]) await jobQueues.enqueueTranscription({ jobId: `job-${n}`, run: 1 });
    await jobQueues.queues.transcribe.add('transcribe', { jobId: 'later', run: 1 }, { delay: 60_000 });
    await jobQueues.enqueueTranslationFlow('job-9', ['es', 'fr']);

    const sent: PutMetricDataCommandInput[] = [];
    const publisher = startQueueDepthPublisher({ queues: jobQueues.queues, sink: { putMetricData: async (input) => sent.push(input) }, intervalMs: 3_600_000 });
    try {
      expect(await publisher.publishOnce()).toEqual({ transcribe: 3, translate: 2, mux: 0 });
    } finally {
      publisher.stop();
    }
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Namespace).toBe('Babelfish');
    expect(sent[0]!.MetricData!.map((datum) => [datum.MetricName, datum.Dimensions, datum.Value, datum.Unit])).toEqual([
      ['QueueDepth', [{ Name: 'Queue', Value: 'transcribe' }], 3, 'Count'],
      ['QueueDepth', [{ Name: 'Queue', Value: 'translate' }], 2, 'Count'],
      ['QueueDepth', [{ Name: 'Queue', Value: 'mux' }], 0, 'Count'],
    ]);
  });

  it('builds input the CloudWatch SDK command accepts as is', () => {
    const input = queueDepthMetricData({ mux: 4 }, new Date('2026-01-01T00:00:00Z'));
    expect(new PutMetricDataCommand(input).input).toEqual(input);
  });

  it('keeps publishing after a failed attempt, reporting it', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const publisher = startQueueDepthPublisher({
      queues: jobQueues.queues,
      sink: { putMetricData: async () => { calls += 1; if (calls === 1) throw new Error('throttled'); } },
      intervalMs: 50,
      onError: (error) => errors.push(error),
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    publisher.stop();
    expect(String(errors[0])).toContain('throttled');
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});

import type { PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';

/**
 * Publishes how many jobs wait for a worker, per role, as the CloudWatch metric
 * Babelfish/QueueDepth (dimension Queue=<role>) that the ECS worker services scale on
 * (infra/src/constructs/worker-service.ts). Counts are "waiting" + "prioritized": jobs a free
 * worker would take now. Delayed retries and mux parents still waiting for their translations are
 * left out, so they do not start tasks that would find nothing to do.
 */
export type DepthSource = { getJobCounts(...types: ('waiting' | 'prioritized')[]): Promise<Record<string, number>> };
export type MetricSink = { putMetricData(input: PutMetricDataCommandInput): Promise<unknown> };

export const queueDepthNamespace = 'Babelfish';

export async function readQueueDepths(queues: Record<string, DepthSource>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(queues).map(async ([role, queue]) => {
      const counts = await queue.getJobCounts('waiting', 'prioritized');
      return [role, (counts.waiting ?? 0) + (counts.prioritized ?? 0)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export function queueDepthMetricData(depths: Record<string, number>, at = new Date()): PutMetricDataCommandInput {
  return {
    Namespace: queueDepthNamespace,
    MetricData: Object.entries(depths).map(([role, depth]) => ({
      MetricName: 'QueueDepth',
      Dimensions: [{ Name: 'Queue', Value: role }],
      Timestamp: at,
      Value: depth,
      Unit: 'Count',
    })),
  };
}

/** The real sink; the SDK loads only when a publisher is started (credentials: default chain). */
export async function cloudWatchSink(region?: string): Promise<MetricSink> {
  const { CloudWatchClient, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const client = new CloudWatchClient({ region });
  return { putMetricData: (input) => client.send(new PutMetricDataCommand(input)) };
}

/**
 * Publishes every `intervalMs` (one minute: the scaling alarms' period) until stopped. One
 * publisher per deployment is enough; several (one per API replica) publish the same numbers.
 * A failed publish is reported and retried at the next tick, never thrown.
 */
export function startQueueDepthPublisher(options: {
  queues: Record<string, DepthSource>;
  sink: MetricSink;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): { publishOnce(): Promise<Record<string, number>>; stop(): void } {
  const publishOnce = async () => {
    const depths = await readQueueDepths(options.queues);
    await options.sink.putMetricData(queueDepthMetricData(depths));
    return depths;
  };
  const timer = setInterval(() => {
    publishOnce().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { publishOnce, stop: () => clearInterval(timer) };
}

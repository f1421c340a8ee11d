import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { WorkerRole } from '../environments';

/** The metric the queue-depth publisher sends: jobs waiting for a worker of one role. */
export function queueDepthMetric(role: WorkerRole): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'Babelfish',
    metricName: 'QueueDepth',
    dimensionsMap: { Queue: role },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
  });
}

/**
 * Step scaling on the waiting-job count of one role's queue (target tracking takes no metric
 * math, and a raw queue length is not a per-task utilisation it could track). Two policies,
 * because one would share its evaluation window: scale out after 2 busy minutes (+1, or +3 past
 * five times the threshold), scale in only after 15 minutes of an empty queue, so a burst is not
 * chased down and up again. Used by the CPU workers and the GPU transcribe service alike.
 */
export function scaleOnQueueDepth(
  scaling: ecs.ScalableTaskCount,
  role: WorkerRole,
  options: { scaleOutQueueDepth: number; scaleOutCooldown: Duration },
): void {
  const step = { metric: queueDepthMetric(role), adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY, metricAggregationType: appscaling.MetricAggregationType.MAXIMUM };
  scaling.scaleOnMetric('QueueBacklog', {
    ...step,
    scalingSteps: [
      { upper: options.scaleOutQueueDepth, change: 0 },
      { lower: options.scaleOutQueueDepth, change: +1 },
      { lower: options.scaleOutQueueDepth * 5, change: +3 },
    ],
    cooldown: options.scaleOutCooldown,
    evaluationPeriods: 2,
  });
  scaling.scaleOnMetric('QueueEmpty', {
    ...step,
    scalingSteps: [
      { upper: 0, change: -1 },
      { lower: 1, change: 0 },
    ],
    cooldown: Duration.seconds(300),
    evaluationPeriods: 15,
  });
}

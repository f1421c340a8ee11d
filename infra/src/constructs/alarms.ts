import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { WorkerRole } from '../environments';
import { queueDepthMetric } from './queue-depth-scaling';

export type AlarmsProps = {
  envName: string;
  alarmEmail?: string;
  services: Record<string, ecs.FargateService>;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  /** Waiting jobs per role that mean the workers are not keeping up. */
  queueBacklog: Record<WorkerRole, number>;
};

/**
 * What pages someone: a saturated service, errors at the load balancer, API tasks failing their
 * health check, and a queue that keeps growing. Every alarm notifies one SNS topic.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Babelfish ${props.envName} alarms` });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (name: string, options: Omit<cloudwatch.AlarmProps, 'alarmName'>) => {
      const created = new cloudwatch.Alarm(this, name, { alarmName: `babelfish-${props.envName}-${name}`, ...options });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
    };
    const above = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

    for (const [name, service] of Object.entries(props.services)) {
      alarm(`${name}-cpu`, { metric: service.metricCpuUtilization({ period: Duration.minutes(5) }), threshold: 85, evaluationPeriods: 3, comparisonOperator: above });
      alarm(`${name}-memory`, { metric: service.metricMemoryUtilization({ period: Duration.minutes(5) }), threshold: 90, evaluationPeriods: 3, comparisonOperator: above });
    }

    const sum5m = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    alarm('api-target-5xx', {
      metric: props.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum5m),
      threshold: 10,
      evaluationPeriods: 1,
      comparisonOperator: above,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('alb-5xx', {
      metric: props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum5m),
      threshold: 10,
      evaluationPeriods: 1,
      comparisonOperator: above,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('api-unhealthy-hosts', {
      metric: props.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: above,
    });

    for (const [role, backlog] of Object.entries(props.queueBacklog) as [WorkerRole, number][]) {
      alarm(`${role}-queue-depth`, {
        metric: queueDepthMetric(role).with({ period: Duration.minutes(5) }),
        threshold: backlog,
        evaluationPeriods: 3,
        comparisonOperator: above,
        // No data means the publisher is not running, which the service alarms would show.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

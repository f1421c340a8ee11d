import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import type { EnvironmentSettings, WorkerRole } from '../environments';
import { AppTask, type AppTaskShared } from './app-task';
import { addBusinessHours } from './business-hours';
import { scaleOnQueueDepth } from './queue-depth-scaling';

export type WorkerServiceProps = {
  cluster: ecs.ICluster;
  settings: EnvironmentSettings;
  shared: AppTaskShared;
  role: WorkerRole;
  securityGroups: ec2.ISecurityGroup[];
  /** Settings and secrets this role alone needs (the LLM server for translate). */
  roleSettings?: { environment: Record<string, string>; secrets: Record<string, ecs.Secret> };
};

/**
 * One ECS service per worker role (the same image, WORKER_ROLES picks the role), so each role
 * scales on its own queue. Capacity is mostly Fargate Spot: a reclaimed task's job lock lapses
 * and BullMQ re-queues the job; the on-demand base keeps the queue moving while Spot is scarce.
 */
export class WorkerService extends Construct {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { cluster, settings, role } = props;
    const worker = settings.workers[role];
    const task = new AppTask(this, 'Task', {
      ...props.shared,
      name: role,
      size: worker,
      serviceEnvironment: { ...props.roleSettings?.environment, WORKER_ROLES: role, WORKER_CONCURRENCY: String(worker.concurrency) },
      serviceSecrets: props.roleSettings?.secrets,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: cluster.vpc, description: `Babelfish ${role} workers (no inbound)` });

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: `babelfish-${settings.name}-${role}`,
      taskDefinition: task.taskDefinition,
      desiredCount: worker.minCapacity,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup, ...props.securityGroups],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [
        { capacityProvider: 'FARGATE', base: worker.onDemandBase, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: worker.minCapacity, maxCapacity: worker.maxCapacity });
    scaleOnQueueDepth(scaling, role, { scaleOutQueueDepth: worker.scaleOutQueueDepth, scaleOutCooldown: Duration.seconds(120) });
    if (settings.businessHours) addBusinessHours(scaling, settings.businessHours.timeZone);

    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}

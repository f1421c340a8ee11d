import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from '../environments';
import { appTaskRole, writablePaths, type AppTaskShared } from './app-task';
import { scaleOnQueueDepth } from './queue-depth-scaling';

/** The GPU transcribe service's shape: which instances, how many, and when they start. */
export type GpuTranscribeSettings = {
  /** An NVIDIA instance type the ECS GPU-optimised AMI supports: g4dn.xlarge (T4), g5.xlarge (A10G)… */
  instanceType: string;
  maxCapacity: number;
  /** Waiting transcribe jobs at which the first GPU task (and instance) starts; 5× this adds three. */
  scaleOutQueueDepth: number;
  /** Task size on the instance (g5.xlarge: 4 vCPU, 16 GiB; leave room for the ECS agent). */
  cpu: number;
  memoryMiB: number;
};

export const defaultGpuTranscribe: GpuTranscribeSettings = { instanceType: 'g5.xlarge', maxCapacity: 4, scaleOutQueueDepth: 4, cpu: 3072, memoryMiB: 12288 };

export type GpuTranscribeServiceProps = {
  cluster: ecs.Cluster;
  settings: EnvironmentSettings;
  gpu: GpuTranscribeSettings;
  /** `image` is the GPU worker image (docker/worker-gpu.Dockerfile). */
  shared: AppTaskShared;
  securityGroups: ec2.ISecurityGroup[];
};

/**
 * Transcription on NVIDIA GPUs, next to (not instead of) the Fargate transcribe service: Fargate
 * has no GPUs, so this is an ECS service on an EC2 capacity provider whose Auto Scaling group of
 * GPU instances (ECS GPU-optimised AMI: NVIDIA driver and container toolkit) rests at zero. When
 * the transcribe queue backs up past `scaleOutQueueDepth` the service adds a task, the capacity
 * provider's managed scaling launches an instance for it, and an idle queue scales both back to
 * zero. Both services take from the same queue; the CPU one keeps its own scaling unchanged.
 */
export class GpuTranscribeService extends Construct {
  readonly service: ecs.Ec2Service;
  readonly capacityProvider: ecs.AsgCapacityProvider;

  constructor(scope: Construct, id: string, props: GpuTranscribeServiceProps) {
    super(scope, id);
    const { cluster, settings, gpu } = props;
    const name = 'transcribe-gpu';

    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', { vpc: cluster.vpc, description: 'Babelfish GPU instances (no inbound)' });
    // A launch template (launch configurations are retired for new accounts); ECS adds the user
    // data that joins the cluster, and the instance role's ECS agent permissions.
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType: new ec2.InstanceType(gpu.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.GPU),
      userData: ec2.UserData.forLinux(),
      role: new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), description: 'Babelfish GPU instances: the ECS agent only' }),
      securityGroup: instanceSecurityGroup,
      requireImdsv2: true,
      // Models and scratch audio live on the root volume (Docker volumes): room for both.
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(100, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) }],
    });
    // The GPU AMI has the driver; the agent must also be told to schedule GPUs (gpuCount).
    launchTemplate.userData!.addCommands('echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config');
    const instances = new autoscaling.AutoScalingGroup(this, 'Instances', {
      vpc: cluster.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 0,
      maxCapacity: gpu.maxCapacity,
    });
    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      capacityProviderName: `babelfish-${settings.name}-gpu`,
      autoScalingGroup: instances,
      enableManagedScaling: true,
      targetCapacityPercent: 100,
      // An instance running a transcription is not terminated by scale-in; ECS drains it first.
      enableManagedTerminationProtection: true,
    });
    cluster.addAsgCapacityProvider(this.capacityProvider);

    const taskDefinition = new ecs.Ec2TaskDefinition(this, 'TaskDefinition', {
      family: `babelfish-${settings.name}-${name}`,
      networkMode: ecs.NetworkMode.AWS_VPC,
      taskRole: appTaskRole(this, { name, bucket: props.shared.bucket }),
    });
    // Docker volumes (not host bind mounts) so that, as on Fargate, each starts as a copy of the
    // image's VOLUME directory, owned by the image's non-root user.
    for (const volume of Object.keys(writablePaths)) {
      taskDefinition.addVolume({ name: volume, dockerVolumeConfiguration: { scope: ecs.Scope.TASK, driver: 'local' } });
    }
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/babelfish/${settings.name}/${name}`,
      retention: props.shared.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.shared.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const container = taskDefinition.addContainer('app', {
      containerName: name,
      image: props.shared.image,
      essential: true,
      readonlyRootFilesystem: true,
      cpu: gpu.cpu,
      memoryLimitMiB: gpu.memoryMiB,
      gpuCount: 1,
      environment: {
        ...props.shared.environment,
        WORKER_ROLES: 'transcribe',
        WORKER_CONCURRENCY: '1',
        // cuda, not auto: a task that lost its GPU stops with the reason instead of transcribing
        // 10× slower on the CPU while its instance is billed as a GPU.
        INFERENCE_DEVICE_TRANSCRIBE: 'cuda',
      },
      secrets: props.shared.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name }),
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      stopTimeout: Duration.seconds(120),
    });
    container.addMountPoints(...Object.entries(writablePaths).map(([sourceVolume, containerPath]) => ({ sourceVolume, containerPath, readOnly: false })));

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: cluster.vpc, description: 'Babelfish GPU transcribe workers (no inbound)' });
    this.service = new ecs.Ec2Service(this, 'Service', {
      cluster,
      serviceName: `babelfish-${settings.name}-${name}`,
      taskDefinition,
      desiredCount: 0,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup, ...props.securityGroups],
      // Scale-in of a task that holds the only GPU of its instance: no overlap is needed.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      circuitBreaker: { enable: true, rollback: true },
      capacityProviderStrategies: [{ capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 }],
    });

    // The same step scaling as the CPU workers (worker-service.ts), from zero: the first task
    // starts only when the backlog is more than the CPU service should work through alone.
    const scaling = this.service.autoScaleTaskCount({ minCapacity: 0, maxCapacity: gpu.maxCapacity });
    scaleOnQueueDepth(scaling, 'transcribe', { scaleOutQueueDepth: gpu.scaleOutQueueDepth, scaleOutCooldown: Duration.seconds(180) });

    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}

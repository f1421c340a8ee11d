import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TaskSize } from '../environments';

/** What every Babelfish task shares: where its state is and the secrets it reads. */
export type AppTaskShared = {
  envName: string;
  image: ecs.ContainerImage;
  bucket: s3.IBucket;
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  logRetentionDays: number;
  retainLogs: boolean;
};

export type AppTaskProps = AppTaskShared & {
  /** api | transcribe | translate | mux: names the log group and the container. */
  name: string;
  size: TaskSize;
  /** Settings for this service only (WORKER_ROLES, PORT…); they win over the shared ones. */
  serviceEnvironment: Record<string, string>;
  /** Secrets for this service only (LLM_API_KEY for translate), beside the shared ones. */
  serviceSecrets?: Record<string, ecs.Secret>;
  port?: number;
};

// Paths the images declare as VOLUMEs: with a read-only root filesystem they are the only
// writable places, backed by the task's ephemeral storage. Fargate copies a VOLUME directory
// from the image into the task volume mounted at the same path, owner included, which is how
// the non-root user (uid 10001, set up in docker/*.Dockerfile) can write to them.
export const writablePaths = { data: '/app/data', media: '/srv/media', 'model-cache': '/cache/models', scratch: '/tmp' } as const;

/**
 * A Fargate task definition for one Babelfish process: read-only root filesystem, an init
 * process (signals reach node), its own log group, and a task role that may touch only the media
 * bucket and publish Babelfish metrics. The execution role (image pull, logs, secrets) is
 * separate and made by CDK with exactly those grants.
 */
export class AppTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AppTaskProps) {
    super(scope, id);
    const taskRole = appTaskRole(this, props);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `babelfish-${props.envName}-${props.name}`,
      cpu: props.size.cpu,
      memoryLimitMiB: props.size.memoryMiB,
      ephemeralStorageGiB: props.size.ephemeralStorageGiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      taskRole,
    });
    for (const name of Object.keys(writablePaths)) this.taskDefinition.addVolume({ name });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/babelfish/${props.envName}/${props.name}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.container = this.taskDefinition.addContainer('app', {
      containerName: props.name,
      image: props.image,
      essential: true,
      readonlyRootFilesystem: true,
      environment: { ...props.environment, ...props.serviceEnvironment },
      secrets: { ...props.secrets, ...props.serviceSecrets },
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: props.name }),
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      // Fargate's ceiling: SIGTERM, then at most 120 s to finish before SIGKILL.
      stopTimeout: Duration.seconds(120),
      portMappings: props.port ? [{ containerPort: props.port, protocol: ecs.Protocol.TCP }] : [],
    });
    this.container.addMountPoints(
      ...Object.entries(writablePaths).map(([sourceVolume, containerPath]) => ({ sourceVolume, containerPath, readOnly: false })),
    );
  }
}

/**
 * The task role every Babelfish task gets (Fargate or EC2): the media bucket and Babelfish
 * metrics only. Created as `TaskRole` in `scope`.
 */
export function appTaskRole(scope: Construct, props: { name: string; bucket: s3.IBucket }): iam.Role {
  const taskRole = new iam.Role(scope, 'TaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: `Babelfish ${props.name}: media bucket and metrics only`,
  });
  taskRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ListMediaBucket',
      actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [props.bucket.bucketArn],
    }),
  );
  taskRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadWriteMedia',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [props.bucket.arnForObjects('*')],
    }),
  );
  // PutMetricData has no resource ARNs; the condition pins it to the Babelfish namespace.
  taskRole.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PublishBabelfishMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': 'Babelfish' } },
    }),
  );
  return taskRole;
}

/** The secrets every task receives, as ECS injects them (never in the task definition's text). */
export function appSecrets(hfToken: secretsmanager.ISecret, databaseSecret: secretsmanager.ISecret): Record<string, ecs.Secret> {
  return {
    HF_TOKEN: ecs.Secret.fromSecretsManager(hfToken),
    PGPASSWORD: ecs.Secret.fromSecretsManager(databaseSecret, 'password'),
  };
}

import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Alarms } from './constructs/alarms';
import { ApiService } from './constructs/api-service';
import { appSecrets, type AppTaskShared } from './constructs/app-task';
import { DataStores } from './constructs/data-stores';
import { GpuTranscribeService, type GpuTranscribeSettings } from './constructs/gpu-transcribe-service';
import { llmRoles, llmTaskSettings, type LlmServerSettings } from './constructs/llm-server';
import { MediaBucket } from './constructs/media-bucket';
import { Network } from './constructs/network';
import { WorkerService } from './constructs/worker-service';
import { workerRoles, type EnvironmentSettings } from './environments';
import { imageRepositories } from './registry-stack';

export type BabelfishStackProps = StackProps & {
  settings: EnvironmentSettings;
  /** The image tag to run (a git SHA pushed by CI); both images carry the same tag. */
  imageTag: string;
  /** ACM certificate for the HTTPS listener, in this stack's region. */
  certificateArn: string;
  /** Created once per account by an operator (see the README); tasks get it as HF_TOKEN. */
  huggingFaceTokenSecretName?: string;
  /**
   * Adds a transcribe service on GPU instances (EC2 capacity provider, from zero on queue depth),
   * running the GPU worker image: `<imageTag>-gpu` in the worker repository. Absent: none.
   */
  gpuTranscribe?: GpuTranscribeSettings;
  /**
   * The `llm` engine's server: translate workers get LLM_BASE_URL and LLM_MODEL as config and
   * LLM_API_KEY from Secrets Manager. Absent: no LLM settings anywhere (the engine is off).
   */
  llm?: LlmServerSettings;
};

/** One environment: network, state, the API and one service per worker role, and alarms. */
export class BabelfishStack extends Stack {
  /**
   * The region's first two AZs, resolved by CloudFormation (Fn::GetAZs) at deploy time, instead
   * of a context lookup against the account at synth time: synth needs no AWS credentials (CI
   * runs it offline) and no AZ names are hard-coded.
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  constructor(scope: Construct, id: string, props: BabelfishStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const { vpc } = new Network(this, 'Network', { natGateways: settings.natGateways });
    const { bucket } = new MediaBucket(this, 'Media', { retain: settings.retainData });
    const stores = new DataStores(this, 'Data', { vpc, settings });
    const hfToken = secretsmanager.Secret.fromSecretNameV2(this, 'HuggingFaceToken', props.huggingFaceTokenSecretName ?? '/babelfish/huggingface-token');

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      clusterName: `babelfish-${settings.name}`,
      enableFargateCapacityProviders: true,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const image = (name: keyof typeof imageRepositories) =>
      ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(this, `${name}Images`, imageRepositories[name]), props.imageTag);
    const workerImage = image('worker');
    // Settings every process reads (packages/config); secrets are injected separately.
    const shared: Omit<AppTaskShared, 'image'> = {
      envName: settings.name,
      bucket,
      environment: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        DATABASE_URL: stores.databaseUrl,
        REDIS_URL: stores.redisUrl,
        STORAGE_DRIVER: 's3',
        S3_BUCKET: bucket.bucketName,
        S3_REGION: this.region,
        ALLOW_REMOTE_MODELS: 'true',
        MODEL_CACHE_DIR: '/cache/models',
      },
      secrets: appSecrets(hfToken, stores.database.secret!),
      logRetentionDays: settings.logRetentionDays,
      retainLogs: settings.retainData,
    };
    const clients = [stores.clientSecurityGroup];
    const llm = props.llm ? llmTaskSettings(this, props.llm) : undefined;

    const api = new ApiService(this, 'Api', {
      cluster,
      settings,
      shared: { ...shared, image: image('api') },
      certificateArn: props.certificateArn,
      securityGroups: clients,
    });
    const workers = Object.fromEntries(
      workerRoles.map((role) => [
        role,
        new WorkerService(this, `${role[0]!.toUpperCase()}${role.slice(1)}Worker`, {
          cluster,
          settings,
          role,
          shared: { ...shared, image: workerImage },
          securityGroups: clients,
          roleSettings: llm && llmRoles.includes(role) ? llm : undefined,
        }).service,
      ]),
    );

    if (props.gpuTranscribe) {
      new GpuTranscribeService(this, 'GpuTranscribeWorker', {
        cluster,
        settings,
        gpu: props.gpuTranscribe,
        shared: { ...shared, image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(this, 'workerGpuImages', imageRepositories.worker), `${props.imageTag}-gpu`) },
        securityGroups: clients,
      });
    }

    new Alarms(this, 'Alarms', {
      envName: settings.name,
      alarmEmail: settings.alarmEmail,
      services: { api: api.service, ...workers },
      loadBalancer: api.loadBalancer,
      targetGroup: api.targetGroup,
      queueBacklog: Object.fromEntries(workerRoles.map((role) => [role, settings.workers[role].maxCapacity * settings.workers[role].scaleOutQueueDepth * 5])) as Record<(typeof workerRoles)[number], number>,
    });

    new CfnOutput(this, 'MediaBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
  }
}

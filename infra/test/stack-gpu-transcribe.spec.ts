import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BabelfishStack } from '../src/babelfish-stack';
import { defaultGpuTranscribe } from '../src/constructs/gpu-transcribe-service';
import { environments } from '../src/environments';
import { certificateArn, containers, resources, synthEnvironment } from './support/stacks';

const env = { account: '123456789012', region: 'eu-west-1' };
const withGpu = Template.fromStack(
  // Same stack name as synthEnvironment's, so every name derived from it matches.
  new BabelfishStack(new App(), 'Test-prod', { env, settings: environments.prod, imageTag: 'abc1234', certificateArn, gpuTranscribe: defaultGpuTranscribe }),
);
const withoutGpu = synthEnvironment('prod');

/** Logical ids of a type whose id contains `fragment`. */
const idsOf = (template: Template, type: string, fragment: string) => resources(template, type).map(([id]) => id).filter((id) => id.includes(fragment));

describe('GPU transcribe service (gpuTranscribe prop / -c gpuTranscribe=<instance type>)', () => {
  it('is absent by default: no EC2 capacity, no GPU task, only Fargate services', () => {
    expect(resources(withoutGpu, 'AWS::AutoScaling::AutoScalingGroup')).toEqual([]);
    expect(resources(withoutGpu, 'AWS::ECS::CapacityProvider')).toEqual([]);
    expect(resources(withoutGpu, 'AWS::ECS::Service').every(([, service]) => service.Properties.CapacityProviderStrategy.every((s: { CapacityProvider: string }) => s.CapacityProvider.startsWith('FARGATE')))).toBe(true);
  });

  it('leaves the CPU services exactly as they are', () => {
    for (const type of ['AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::ApplicationAutoScaling::ScalingPolicy', 'AWS::ApplicationAutoScaling::ScalableTarget']) {
      const before = withoutGpu.findResources(type);
      const after = withGpu.findResources(type);
      for (const [id, resource] of Object.entries(before)) expect([id, after[id]]).toEqual([id, resource]);
      expect(Object.keys(after).filter((id) => !before[id]).every((id) => id.startsWith('GpuTranscribeWorker'))).toBe(true);
    }
  });

  it('runs GPU instances from the ECS GPU-optimised AMI in an Auto Scaling group that rests at zero', () => {
    const groups = resources(withGpu, 'AWS::AutoScaling::AutoScalingGroup');
    expect(groups).toHaveLength(1);
    const [, group] = groups[0]!;
    expect(group.Properties).toMatchObject({ MinSize: '0', MaxSize: String(defaultGpuTranscribe.maxCapacity), NewInstancesProtectedFromScaleIn: true });
    const templates = resources(withGpu, 'AWS::EC2::LaunchTemplate');
    expect(templates).toHaveLength(1);
    const [, template] = templates[0]!;
    expect(template.Properties.LaunchTemplateData.InstanceType).toBe('g5.xlarge');
    const userData = JSON.stringify(template.Properties.LaunchTemplateData.UserData);
    expect(userData).toContain('ECS_ENABLE_GPU_SUPPORT=true');
    expect(userData).toContain('ECS_CLUSTER=');
    // The AMI id comes from the SSM parameter of the ECS GPU-optimised Amazon Linux 2 image.
    const parameters = Object.values(withGpu.toJSON().Parameters ?? {}) as Array<{ Default?: string }>;
    expect(parameters.some((parameter) => parameter.Default === '/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id')).toBe(true);
  });

  it('gives the cluster an EC2 capacity provider with managed scaling and termination protection', () => {
    withGpu.hasResourceProperties('AWS::ECS::CapacityProvider', {
      Name: 'babelfish-prod-gpu',
      AutoScalingGroupProvider: { ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100 }, ManagedTerminationProtection: 'ENABLED' },
    });
    withGpu.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT', Match.objectLike({ Ref: Match.stringLikeRegexp('GpuTranscribeWorkerCapacityProvider') })]),
    });
  });

  it('runs the GPU image as a transcribe worker that reserves one GPU and insists on CUDA', () => {
    const container = containers(withGpu)['transcribe-gpu']!;
    expect(container.ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
    expect(container.task.RequiresCompatibilities).toEqual(['EC2']);
    expect(container.task.NetworkMode).toBe('awsvpc');
    expect(JSON.stringify(container.Image)).toContain('abc1234-gpu');
    const environment = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((entry) => [entry.Name, entry.Value]));
    expect(environment).toMatchObject({ WORKER_ROLES: 'transcribe', INFERENCE_DEVICE_TRANSCRIBE: 'cuda', STORAGE_DRIVER: 's3' });
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.task.Volumes.every((volume: { DockerVolumeConfiguration?: { Scope: string } }) => volume.DockerVolumeConfiguration?.Scope === 'task')).toBe(true);
  });

  it('places the service on the GPU capacity provider at zero tasks, scaling 0–max on the transcribe queue depth', () => {
    const gpuServices = resources(withGpu, 'AWS::ECS::Service').filter(([id]) => id.startsWith('GpuTranscribeWorker'));
    expect(gpuServices).toHaveLength(1);
    const [serviceId, service] = gpuServices[0]!;
    expect(service.Properties.DesiredCount).toBe(0);
    expect(service.Properties.CapacityProviderStrategy).toEqual([{ CapacityProvider: { Ref: expect.stringMatching(/GpuTranscribeWorkerCapacityProvider/) }, Weight: 1 }]);
    const [target] = idsOf(withGpu, 'AWS::ApplicationAutoScaling::ScalableTarget', 'GpuTranscribeWorker');
    withGpu.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: defaultGpuTranscribe.maxCapacity, ResourceId: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [serviceId, 'Name'] })])]) }) });
    const policies = resources(withGpu, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([, policy]) => policy.Properties.ScalingTargetId?.Ref === target);
    expect(policies).toHaveLength(2);
    const backlog = policies.find(([id]) => id.includes('QueueBacklog'))![1].Properties.StepScalingPolicyConfiguration;
    expect(backlog.StepAdjustments).toEqual(expect.arrayContaining([expect.objectContaining({ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 })]));
    const alarms = resources(withGpu, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('GpuTranscribeWorker'));
    expect(alarms.length).toBe(2);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'Babelfish', MetricName: 'QueueDepth', Dimensions: [{ Name: 'Queue', Value: 'transcribe' }] });
    }
    const thresholds = alarms.map(([, alarm]) => alarm.Properties.Threshold).sort((a, b) => a - b);
    expect(thresholds).toEqual([0, defaultGpuTranscribe.scaleOutQueueDepth]);
  });
});

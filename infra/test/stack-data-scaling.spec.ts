import { Match } from 'aws-cdk-lib/assertions';
import { workerRoles } from '../src/environments';
import { resources, synthEnvironment, synthRegistry } from './support/stacks';

const template = synthEnvironment('prod');
const registry = synthRegistry();

describe('prod stack: storage, data stores, scaling, alarms; registry', () => {
  it('creates ECR repositories that scan on push and expire untagged images after 7 days', () => {
    const repositories = resources(registry, 'AWS::ECR::Repository').map(([, repository]) => repository.Properties);
    expect(repositories.map((repository) => repository.RepositoryName).sort()).toEqual(['babelfish/api', 'babelfish/worker']);
    for (const repository of repositories) {
      expect(repository.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      const rules = JSON.parse(repository.LifecyclePolicy.LifecyclePolicyText).rules;
      expect(rules).toEqual([expect.objectContaining({ selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 7, countUnit: 'days' }, action: { type: 'expire' } })]);
    }
  });

  it('keeps media in a versioned, encrypted, private bucket that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('ages media out: Standard → IA at 30 days → Glacier (Instant Retrieval) at 90; old versions gone after 30', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          }),
        ],
      },
    });
  });

  it('runs Redis as an encrypted, multi-AZ replication group that never evicts (BullMQ)', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
    });
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', { Properties: { 'maxmemory-policy': 'noeviction' } });
  });

  it('runs PostgreSQL encrypted, multi-AZ, private, with a generated secret and deletion protection', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      StorageEncrypted: true,
      MultiAZ: true,
      PubliclyAccessible: false,
      DeletionProtection: true,
      DBName: 'babelfish',
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const [, subnetGroup] = resources(template, 'AWS::RDS::DBSubnetGroup')[0]!;
    for (const subnet of subnetGroup.Properties.SubnetIds) expect(subnet.Ref).toMatch(/privateSubnet/);
  });

  it('admits only the ECS tasks into Redis (6379) and PostgreSQL (5432)', () => {
    const ingress = resources(template, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => rule.Properties);
    for (const port of [6379, 5432]) {
      const rules = ingress.filter((rule) => rule.FromPort === port);
      expect(rules).toHaveLength(1);
      expect(rules[0]!.SourceSecurityGroupId['Fn::GetAtt'][0]).toMatch(/^DataClients/);
      expect(rules[0]!.CidrIp).toBeUndefined();
    }
    for (const [, { Properties: service }] of resources(template, 'AWS::ECS::Service')) {
      expect(JSON.stringify(service.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups)).toContain('DataClients');
    }
  });

  it('scales the API on CPU 70% and memory 80% (1–10 tasks, 300 s cooldowns)', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10, ResourceId: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Name']) })])]) }) });
    for (const [metric, target] of [['ECSServiceAverageCPUUtilization', 70], ['ECSServiceAverageMemoryUtilization', 80]] as const) {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: metric }, TargetValue: target, ScaleInCooldown: 300, ScaleOutCooldown: 300 },
      });
    }
  });

  it('scales each worker role on its Babelfish/QueueDepth metric (Queue=<role>): out fast, in after 15 idle minutes', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    for (const role of workerRoles) {
      const scaling = alarms.filter((alarm) => alarm.Namespace === 'Babelfish' && alarm.MetricName === 'QueueDepth' && alarm.Dimensions?.[0]?.Value === role && !alarm.AlarmName);
      expect(scaling.map((alarm) => [alarm.ComparisonOperator, alarm.EvaluationPeriods]).sort()).toEqual([
        ['GreaterThanOrEqualToThreshold', 2],
        ['LessThanOrEqualToThreshold', 15],
      ]);
      expect(scaling.every((alarm) => alarm.Dimensions[0].Name === 'Queue')).toBe(true);
    }
    const stepPolicies = resources(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(([, policy]) => policy.Properties.PolicyType === 'StepScaling');
    expect(stepPolicies).toHaveLength(workerRoles.length * 2);
  });

  it('holds at least 2 tasks 9:00–18:00 on weekdays and 1 otherwise, for the API and every worker', () => {
    const targets = resources(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(targets).toHaveLength(4);
    for (const [, target] of targets) {
      expect(target.Properties.ScheduledActions).toEqual([
        expect.objectContaining({ Schedule: 'cron(0 9 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 2 } }),
        expect.objectContaining({ Schedule: 'cron(0 18 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 1 } }),
      ]);
    }
  });

  it('alarms on CPU, memory, ALB 5xx, unhealthy hosts and queue depth, all notifying one topic', () => {
    const named: Record<string, Record<string, any>> = Object.fromEntries(resources(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties.AlarmName).map(([, alarm]) => [alarm.Properties.AlarmName, alarm.Properties]));
    const expected = [
      ...['api', ...workerRoles].flatMap((service) => [`babelfish-prod-${service}-cpu`, `babelfish-prod-${service}-memory`]),
      'babelfish-prod-api-target-5xx',
      'babelfish-prod-alb-5xx',
      'babelfish-prod-api-unhealthy-hosts',
      ...workerRoles.map((role) => `babelfish-prod-${role}-queue-depth`),
    ];
    expect(Object.keys(named).sort()).toEqual(expected.sort());
    expect(named['babelfish-prod-api-unhealthy-hosts']).toMatchObject({ MetricName: 'UnHealthyHostCount', Threshold: 1 });
    expect(named['babelfish-prod-api-target-5xx']).toMatchObject({ MetricName: 'HTTPCode_Target_5XX_Count' });
    expect(named['babelfish-prod-transcribe-queue-depth']).toMatchObject({ Namespace: 'Babelfish', MetricName: 'QueueDepth', Dimensions: [{ Name: 'Queue', Value: 'transcribe' }] });
    const [topicId] = resources(template, 'AWS::SNS::Topic')[0]!;
    for (const alarm of Object.values(named)) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});

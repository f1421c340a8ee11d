import { Match } from 'aws-cdk-lib/assertions';
import { workerRoles as configWorkerRoles } from '@babelfish/config';
import { workerRoles } from '../src/environments';
import { configKeys } from './support/config-keys';
import { certificateArn, containers, resources, statementsOfRoles, synthEnvironment } from './support/stacks';

// One synth for the whole file (CDK synth is the slow part).
const template = synthEnvironment('prod');
const byContainer = containers(template);

describe('prod stack: network, load balancer, services, tasks, IAM', () => {
  it('builds a 10.0.0.0/16 VPC over two AZs with public and private subnets and a NAT per AZ', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = resources(template, 'AWS::EC2::Subnet').map(([, subnet]) => subnet.Properties);
    expect(subnets).toHaveLength(4);
    expect(subnets.filter((subnet) => subnet.MapPublicIpOnLaunch === true)).toHaveLength(2);
    expect(new Set(subnets.map((subnet) => JSON.stringify(subnet.AvailabilityZone))).size).toBe(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  it('puts an internet-facing ALB in front: HTTPS with the given certificate, HTTP redirected', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: Match.stringLikeRegexp('TLS'),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
  });

  it('health-checks the API on /health every 30 s (timeout 10 s, healthy 2, unhealthy 5)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 5,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'stickiness.enabled', Value: 'true' }]),
    });
  });

  it('runs an ECS Fargate service for the API and for each worker role, each with a rollback circuit breaker', () => {
    const services = resources(template, 'AWS::ECS::Service').map(([, service]) => service.Properties);
    expect(services.map((service) => service.ServiceName).sort()).toEqual(['babelfish-prod-api', 'babelfish-prod-mux', 'babelfish-prod-transcribe', 'babelfish-prod-translate']);
    for (const service of services) {
      expect(service.DeploymentConfiguration).toMatchObject({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 });
      expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    }
  });

  it('runs workers mostly on Fargate Spot with an on-demand base; the API on regular Fargate', () => {
    for (const [, { Properties: service }] of resources(template, 'AWS::ECS::Service')) {
      if (service.ServiceName.endsWith('-api')) {
        expect(service.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);
      } else {
        expect(service.CapacityProviderStrategy).toEqual([
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
        ]);
      }
    }
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']) });
  });

  it('gives each worker service its role through WORKER_ROLES (one image for all roles)', () => {
    expect([...workerRoles]).toEqual([...configWorkerRoles]);
    for (const role of workerRoles) {
      const environment = Object.fromEntries(byContainer[role]!.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]));
      expect(environment.WORKER_ROLES).toBe(role);
      expect(JSON.stringify(byContainer[role]!.Image)).toContain('/babelfish/worker:abc1234');
    }
    expect(JSON.stringify(byContainer.api!.Image)).toContain('/babelfish/api:abc1234');
  });

  it('hardens every container: read-only root filesystem, init process, writable volumes only where needed', () => {
    for (const container of Object.values(byContainer)) {
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.LinuxParameters.InitProcessEnabled).toBe(true);
      expect(container.MountPoints.map((mount: { ContainerPath: string }) => mount.ContainerPath)).toEqual(['/app/data', '/srv/media', '/cache/models', '/tmp']);
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    }
  });

  it('configures the apps with known settings only: S3 storage, TLS Redis, PostgreSQL', () => {
    const known = new Set(configKeys());
    for (const [name, container] of Object.entries(byContainer)) {
      const names = container.Environment.map((e: { Name: string }) => e.Name) as string[];
      expect([name, names.filter((key) => !known.has(key))]).toEqual([name, []]);
      const environment = Object.fromEntries(container.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, JSON.stringify(e.Value)]));
      expect(environment.STORAGE_DRIVER).toBe('"s3"');
      expect(environment.REDIS_URL).toContain('rediss://');
      expect(environment.DATABASE_URL).toContain('postgres://babelfish@');
      expect(environment.DATABASE_URL).not.toMatch(/password/i);
    }
  });

  it('passes the Hugging Face token and the database password as secrets, never as plain values', () => {
    for (const container of Object.values(byContainer)) {
      const secrets = Object.fromEntries(container.Secrets.map((s: { Name: string; ValueFrom: unknown }) => [s.Name, JSON.stringify(s.ValueFrom)]));
      expect(secrets.HF_TOKEN).toContain(':secret:/babelfish/huggingface-token');
      expect(secrets.PGPASSWORD).toContain(':password::');
    }
    const execution = statementsOfRoles(template, 'ExecutionRole');
    expect(JSON.stringify(execution)).toContain('/babelfish/huggingface-token-??????');
  });

  it('configures no llm engine unless the stack is given its server (stack-llm.spec.ts covers it)', () => {
    for (const [name, container] of Object.entries(byContainer)) {
      const names = [...container.Environment, ...container.Secrets].map((e: { Name: string }) => e.Name) as string[];
      expect([name, names.filter((key) => key.startsWith('LLM_'))]).toEqual([name, []]);
    }
    expect(JSON.stringify(statementsOfRoles(template, 'ExecutionRole'))).not.toContain('llm-api-key');
  });

  it('keeps a CloudWatch log group with retention per service', () => {
    const groups = resources(template, 'AWS::Logs::LogGroup').map(([, group]) => group.Properties);
    expect(groups.map((group) => group.LogGroupName).sort()).toEqual(['/babelfish/prod/api', '/babelfish/prod/mux', '/babelfish/prod/transcribe', '/babelfish/prod/translate']);
    for (const group of groups) expect(group.RetentionInDays).toBe(90);
  });

  it('limits each task role to the media bucket (ARN and ARN/*) and Babelfish metrics', () => {
    const taskStatements = statementsOfRoles(template, 'TaskRole');
    expect(taskStatements.length).toBe(4 * 3);
    for (const statement of taskStatements) {
      const actions = [statement.Action].flat() as string[];
      const resourcesText = JSON.stringify(statement.Resource);
      if (actions.some((action) => action.startsWith('s3:'))) {
        expect(resourcesText).not.toBe('"*"');
        expect(resourcesText).toMatch(/MediaBucket/);
        expect(actions.every((action) => action.startsWith('s3:') && !action.includes('*'))).toBe(true);
      } else {
        expect(actions).toEqual(['cloudwatch:PutMetricData']);
        expect(statement.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'Babelfish' } });
      }
    }
    // Object actions on bucket/*, listing on the bucket itself.
    expect(taskStatements.filter((statement) => statement.Sid === 'ReadWriteMedia').every((statement) => JSON.stringify(statement.Resource).includes('/*'))).toBe(true);
    // The execution role (pull, logs, secrets) is not the task role.
    for (const [, task] of resources(template, 'AWS::ECS::TaskDefinition')) {
      expect(JSON.stringify(task.Properties.ExecutionRoleArn)).not.toBe(JSON.stringify(task.Properties.TaskRoleArn));
    }
  });
});

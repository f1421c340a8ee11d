import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from '../environments';
import { AppTask, type AppTaskShared } from './app-task';
import { addBusinessHours } from './business-hours';

export type ApiServiceProps = {
  cluster: ecs.ICluster;
  settings: EnvironmentSettings;
  shared: AppTaskShared;
  certificateArn: string;
  securityGroups: ec2.ISecurityGroup[];
};

const apiPort = 8080;

/**
 * The API behind an internet-facing ALB: HTTPS only (HTTP redirects), health-checked on /health,
 * rolled out with a circuit breaker that rolls a failing deployment back, and scaled on CPU and
 * memory.
 */
export class ApiService extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const { cluster, settings } = props;
    const vpc = cluster.vpc;
    const task = new AppTask(this, 'Task', {
      ...props.shared,
      name: 'api',
      size: settings.api,
      serviceEnvironment: { HOST: '0.0.0.0', PORT: String(apiPort) },
      port: apiPort,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      // Socket.IO pings every 25 s; long uploads may pause longer than the 60 s default.
      idleTimeout: Duration.seconds(120),
      dropInvalidHeaderFields: true,
    });
    const apiSecurityGroup = new ec2.SecurityGroup(this, 'ApiSecurityGroup', { vpc, description: 'Babelfish API tasks' });
    apiSecurityGroup.connections.allowFrom(this.loadBalancer, ec2.Port.tcp(apiPort), 'ALB to API');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      serviceName: `babelfish-${settings.name}-api`,
      taskDefinition: task.taskDefinition,
      desiredCount: settings.api.minCapacity,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [apiSecurityGroup, ...props.securityGroups],
      assignPublicIp: false,
      // Rolling update: new tasks must pass health checks before old ones stop; a deployment
      // whose tasks keep failing is stopped and rolled back to the last good task definition.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(120),
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc,
      port: apiPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(30),
      // Socket.IO's long-polling fallback needs every request of a session on one task.
      stickinessCookieDuration: Duration.hours(12),
      healthCheck: {
        path: '/health',
        interval: Duration.seconds(30),
        timeout: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 5,
        healthyHttpCodes: '200',
      },
    });
    this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.targetGroup],
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, sourceProtocol: elbv2.ApplicationProtocol.HTTP, targetPort: 443, targetProtocol: elbv2.ApplicationProtocol.HTTPS });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: settings.api.minCapacity, maxCapacity: settings.api.maxCapacity });
    const cooldowns = { scaleInCooldown: Duration.seconds(300), scaleOutCooldown: Duration.seconds(300) };
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70, ...cooldowns });
    scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 80, ...cooldowns });
    if (settings.businessHours) addBusinessHours(scaling, settings.businessHours.timeZone);

    new CfnOutput(this, 'LoadBalancerDns', { value: this.loadBalancer.loadBalancerDnsName, description: 'Point the DNS name of the certificate here (CNAME/alias)' });
    new CfnOutput(this, 'ServiceName', { value: this.service.serviceName });
  }
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from '../environments';

/**
 * Production state: ElastiCache Redis for the BullMQ queues, progress and sessions; RDS
 * PostgreSQL for jobs, keys and subtitles. Both live in private subnets and admit only the
 * security group that the ECS tasks carry.
 */
export class DataStores extends Construct {
  /** Put on every task that needs Redis and PostgreSQL; nothing else gets in. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly redisUrl: string;
  readonly database: rds.DatabaseInstance;
  readonly databaseUrl: string;

  constructor(scope: Construct, id: string, props: { vpc: ec2.IVpc; settings: EnvironmentSettings }) {
    super(scope, id);
    const { vpc, settings } = props;
    const privateSubnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'Clients', { vpc, description: 'Babelfish ECS tasks (Redis and PostgreSQL clients)' });

    // --- Redis ------------------------------------------------------------------------------
    const redisSecurityGroup = new ec2.SecurityGroup(this, 'RedisSecurityGroup', { vpc, description: 'Babelfish Redis', allowAllOutbound: false });
    redisSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(6379), 'ECS tasks only');
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'RedisSubnets', {
      description: 'Babelfish Redis (private subnets)',
      subnetIds: privateSubnets.subnetIds,
    });
    // ElastiCache's default policy is volatile-lru; BullMQ must never lose a key to eviction.
    const parameters = new elasticache.CfnParameterGroup(this, 'RedisParameters', {
      cacheParameterGroupFamily: 'redis7',
      description: 'BullMQ: noeviction',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const failover = settings.redis.replicas > 0;
    const redis = new elasticache.CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: `Babelfish ${settings.name} queues`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: settings.redis.nodeType,
      numCacheClusters: 1 + settings.redis.replicas,
      automaticFailoverEnabled: failover,
      multiAzEnabled: failover,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: parameters.ref,
      securityGroupIds: [redisSecurityGroup.securityGroupId],
      snapshotRetentionLimit: settings.retainData ? 7 : 0,
    });
    redis.applyRemovalPolicy(settings.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY);
    // rediss:// makes ioredis speak TLS (transit encryption is on); the endpoint is the primary.
    this.redisUrl = `rediss://${redis.attrPrimaryEndPointAddress}:${redis.attrPrimaryEndPointPort}`;

    // --- PostgreSQL ---------------------------------------------------------------------------
    const databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', { vpc, description: 'Babelfish PostgreSQL', allowAllOutbound: false });
    databaseSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(5432), 'ECS tasks only');
    this.database = new rds.DatabaseInstance(this, 'Postgres', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: new ec2.InstanceType(settings.database.instanceType),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [databaseSecurityGroup],
      multiAz: settings.database.multiAz,
      storageEncrypted: true,
      allocatedStorage: settings.database.allocatedStorageGiB,
      maxAllocatedStorage: settings.database.allocatedStorageGiB * 4,
      storageType: rds.StorageType.GP3,
      databaseName: 'babelfish',
      // The password lives in Secrets Manager; tasks get it as PGPASSWORD (never in a URL).
      credentials: rds.Credentials.fromGeneratedSecret('babelfish'),
      backupRetention: Duration.days(settings.database.backupRetentionDays),
      deletionProtection: settings.retainData,
      removalPolicy: settings.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
    });
    // node-postgres takes the password from PGPASSWORD when the URL has none. TLS on, certificate
    // not verified: the RDS CA bundle is not in Node's trust store (traffic stays in the VPC).
    this.databaseUrl = `postgres://babelfish@${this.database.dbInstanceEndpointAddress}:${this.database.dbInstanceEndpointPort}/babelfish?sslmode=no-verify`;
  }
}
